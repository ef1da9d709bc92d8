import type { FieldRequirement } from './field-selector.js';
import { requirementsMatch, tryRequirement, type Labels, type Operator, type Requirement } from './label-selector.js';

/**
 * core/v1 NodeSelector and TopologySelectorTerm matching, as kube's
 * component-helpers nodeaffinity and v1helper do it: on label selector
 * requirements, validated as labels.NewRequirement validates them.
 */

/** NodeSelectorOperator spellings and the label selector operators they stand for. */
const NODE_SELECTOR_OPERATORS: ReadonlyMap<unknown, Operator> = new Map<unknown, Operator>([
  ['In', 'in'], ['NotIn', 'notin'], ['Exists', 'exists'], ['DoesNotExist', '!'], ['Gt', 'gt'], ['Lt', 'lt'],
]);

/** The one field a node can be selected by. */
const NODE_NAME_FIELD = 'metadata.name';

interface Term {
  /** matchExpressions, all of which must hold. */
  readonly labels: readonly Requirement[];
  /** matchFields: metadata.name equal (In) or not equal (NotIn) to one name. */
  readonly fields: readonly FieldRequirement[];
}

const stringsOf = (values: unknown): string[] | undefined =>
  (values === undefined || values === null ? [] : Array.isArray(values) && values.every((v) => typeof v === 'string') ? values : undefined);

/** nodeSelectorRequirementsAsSelector: undefined when any requirement does not parse. */
function labelRequirements(exprs: readonly any[]): Requirement[] | undefined {
  const requirements: Requirement[] = [];
  for (const e of exprs) {
    const op = NODE_SELECTOR_OPERATORS.get(e?.operator);
    const values = stringsOf(e?.values);
    if (!op || typeof e.key !== 'string' || !values) return undefined;
    const r = tryRequirement(e.key, op, values);
    if (!r) return undefined;
    requirements.push(r);
  }
  return requirements;
}

/** nodeSelectorRequirementsAsFieldSelector: In or NotIn with one value; the API server allows metadata.name alone. */
function fieldRequirements(exprs: readonly any[]): FieldRequirement[] | undefined {
  const requirements: FieldRequirement[] = [];
  for (const e of exprs) {
    const values = stringsOf(e?.values);
    if (e?.key !== NODE_NAME_FIELD || values?.length !== 1) return undefined;
    if (e.operator === 'In') requirements.push({ field: NODE_NAME_FIELD, operator: '=', value: values[0] });
    else if (e.operator === 'NotIn') requirements.push({ field: NODE_NAME_FIELD, operator: '!=', value: values[0] });
    else return undefined;
  }
  return requirements;
}

const listOf = (raw: unknown): readonly any[] => (Array.isArray(raw) ? raw : []);

/** A term, or undefined when it is empty (selects nothing) or does not parse. */
function parseTerm(raw: any): Term | undefined {
  const exprs = listOf(raw?.matchExpressions);
  const fieldExprs = listOf(raw?.matchFields);
  if (!exprs.length && !fieldExprs.length) return undefined;
  const labels = labelRequirements(exprs);
  const fields = fieldRequirements(fieldExprs);
  return labels && fields ? { labels, fields } : undefined;
}

function termMatches(term: Term, labels: Labels, name: string): boolean {
  if (!requirementsMatch(term.labels, labels)) return false;
  for (let i = 0; i < term.fields.length; i++) {
    const f = term.fields[i];
    if ((name === f.value) !== (f.operator === '=')) return false;
  }
  return true;
}

/**
 * Selectors parsed from an object, by that object: objects read from the API
 * are never changed in place (a change arrives as a new object), and the
 * scheduler matches the same volume's or class's terms against every node.
 */
const parsedSelectors = new WeakMap<object, NodeSelector>();
const parsedTopologies = new WeakMap<object, readonly (readonly Requirement[])[]>();

function memoized<T>(cache: WeakMap<object, T>, raw: unknown, parse: () => T): T {
  if (typeof raw !== 'object' || raw === null) return parse();
  let parsed = cache.get(raw);
  if (parsed === undefined) {
    parsed = parse();
    cache.set(raw, parsed);
  }
  return parsed;
}

/**
 * A v1.NodeSelector: terms are ORed, the requirements within a term ANDed.
 * A term that is empty or does not parse selects no node, as kube's
 * LazyErrorNodeSelector treats it.
 */
export class NodeSelector {
  private constructor(private readonly terms: readonly Term[]) {}

  /** From a v1.NodeSelector (PV spec.nodeAffinity.required, a pod's required node affinity). */
  static parse(selector: unknown): NodeSelector {
    return memoized(parsedSelectors, selector, () => NodeSelector.ofTerms(listOf((selector as any)?.nodeSelectorTerms)));
  }

  /** From a single NodeSelectorTerm (a preferred scheduling term's preference). */
  static parseTerm(term: unknown): NodeSelector {
    return memoized(parsedSelectors, term, () => NodeSelector.ofTerms([term]));
  }

  private static ofTerms(raw: readonly unknown[]): NodeSelector {
    const terms: Term[] = [];
    for (const t of raw) {
      const term = parseTerm(t);
      if (term) terms.push(term);
    }
    return new NodeSelector(terms);
  }

  /** Whether a node with these labels and this name is selected; kube matches a volume's affinity on labels alone (name ""). */
  matches(labels: Labels, name = ''): boolean {
    for (let i = 0; i < this.terms.length; i++) if (termMatches(this.terms[i], labels, name)) return true;
    return false;
  }
}

/**
 * v1helper.MatchTopologySelectorTerms (a StorageClass's allowedTopologies):
 * no terms admit every node; otherwise some term must, each of its
 * expressions naming a label and the values it may have. An empty term, or
 * one that does not parse, admits none.
 */
export function matchTopologySelectorTerms(terms: unknown, labels: Labels): boolean {
  if (!Array.isArray(terms) || terms.length === 0) return true;
  const parsed = memoized(parsedTopologies, terms, () => {
    const valid: Requirement[][] = [];
    for (const term of terms) {
      const requirements = topologyRequirements(listOf(term?.matchLabelExpressions));
      if (requirements) valid.push(requirements);
    }
    return valid;
  });
  for (let i = 0; i < parsed.length; i++) if (requirementsMatch(parsed[i], labels)) return true;
  return false;
}

/** TopologySelectorRequirementsAsSelector: each expression an In requirement; undefined when there are none or any does not parse. */
function topologyRequirements(exprs: readonly any[]): Requirement[] | undefined {
  if (!exprs.length) return undefined;
  const requirements: Requirement[] = [];
  for (const e of exprs) {
    const values = stringsOf(e?.values);
    const r = typeof e?.key === 'string' && values ? tryRequirement(e.key, 'in', values) : undefined;
    if (!r) return undefined;
    requirements.push(r);
  }
  return requirements;
}
