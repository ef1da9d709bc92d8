import { badRequest } from '../status.js';
import { labelValue, qualifiedName } from '../validation/names.js';

/** selection.Operator spellings, as Kubernetes prints them. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  /** Sorted and de-duplicated, as Kubernetes keeps them. */
  values: string[];
}

export type Labels = Record<string, string | undefined> | undefined | null;

const INT64 = /^[+-]?\d+$/;
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

function int64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n < MIN || n > MAX ? undefined : n;
}

function requirementMatches(r: Requirement, labels: Record<string, string | undefined>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key) && labels[r.key] !== undefined;
  const value = has ? String(labels[r.key]) : '';
  switch (r.operator) {
    case 'in': case '=': case '==': return has && r.values.includes(value);
    case 'notin': case '!=': return !has || !r.values.includes(value);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      const actual = has ? int64(value) : undefined;
      const bound = r.values.length === 1 ? int64(r.values[0]) : undefined;
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** Every requirement holds for the labels (none: true). Allocation-free: selectors run once per node per pod. */
export function requirementsMatch(requirements: readonly Requirement[], labels: Labels): boolean {
  const set = labels ?? {};
  for (let i = 0; i < requirements.length; i++) if (!requirementMatches(requirements[i], set)) return false;
  return true;
}

function requirementString(r: Requirement): string {
  const values = r.values.join(',');
  switch (r.operator) {
    case '!': return `!${r.key}`;
    case 'exists': return r.key;
    case 'in': return `${r.key} in (${values})`;
    case 'notin': return `${r.key} notin (${values})`;
    case 'gt': return `${r.key}>${values}`;
    case 'lt': return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}

export class LabelSelector {
  private constructor(readonly requirements: readonly Requirement[], private readonly nothing: boolean) {}

  /** Matches every object, like an empty selector string. */
  static everything(): LabelSelector {
    return new LabelSelector([], false);
  }

  /** Matches no object: what a nil metav1.LabelSelector means. */
  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  /** Requirements are kept sorted by key, so String() is deterministic. */
  static of(requirements: Requirement[]): LabelSelector {
    return new LabelSelector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), false);
  }

  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return requirementsMatch(this.requirements, labels);
  }

  /** True when the selector does not restrict anything. */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The single value `key` must have, letting callers use an index. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r && (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

// ---- validation, worded like apimachinery's field errors --------------------

const goQuote = (s: string): string => JSON.stringify(s);
const goStrings = (vs: string[]): string => `[]string{${vs.map(goQuote).join(', ')}}`;

/** The details of names.ts causes, without their "field: Invalid value: ..." prefix. */
function details(causes: { message: string; reason: string }[], value: string): string[] {
  const prefix = `x: Invalid value: ${JSON.stringify(value)}: `;
  return causes.map((c) => (c.reason === 'FieldValueRequired' ? 'name part must be non-empty' : c.message.startsWith(prefix) ? c.message.slice(prefix.length) : c.message));
}

function keyError(path: string, key: string): string | undefined {
  const errs = details(qualifiedName('x', key), key);
  return errs.length ? `${path}: Invalid value: ${goQuote(key)}: ${errs.join('; ')}` : undefined;
}

function requirementErrors(key: string, op: Operator, values: string[], path: string): string[] {
  const at = (child: string) => (path ? `${path}.${child}` : child);
  const errors: string[] = [];
  const bad = keyError(at('key'), key);
  if (bad) errors.push(bad);
  const vp = at('values');
  if ((op === 'in' || op === 'notin') && values.length === 0) {
    errors.push(`${vp}: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`);
  }
  if ((op === '=' || op === '==' || op === '!=') && values.length !== 1) {
    errors.push(`${vp}: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
  }
  if ((op === 'exists' || op === '!') && values.length !== 0) {
    errors.push(`${vp}: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
  }
  if (op === 'gt' || op === 'lt') {
    if (values.length !== 1) errors.push(`${vp}: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
    values.forEach((v, i) => {
      if (int64(v) === undefined) errors.push(`${vp}[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  values.forEach((v, i) => {
    const errs = details(labelValue('x', v), v);
    if (errs.length) errors.push(`${vp}[${i}][${key}]: Invalid value: ${goQuote(v)}: ${errs.join('; ')}`);
  });
  return errors;
}

/** apimachinery's aggregate error text: one message alone, several in brackets. */
const aggregate = (errors: string[]): string => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);

function newRequirement(key: string, operator: Operator, values: string[], path = ''): Requirement {
  const errors = requirementErrors(key, operator, values, path);
  if (errors.length) throw new SelectorSyntaxError(aggregate(errors));
  return { key, operator, values: [...new Set(values)].sort() };
}

class SelectorSyntaxError extends Error {}

/**
 * labels.NewRequirement for callers that drop what does not parse (node
 * selector terms, topology terms): the requirement, or undefined when the
 * key, operator or values are not valid.
 */
export function tryRequirement(key: string, operator: Operator, values: readonly string[]): Requirement | undefined {
  if (requirementErrors(key, operator, [...values], '').length) return undefined;
  return { key, operator, values: [...new Set(values)].sort() };
}

// ---- the string syntax ------------------------------------------------------

type Tok = 'id' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';
interface Token { tok: Tok; lit: string }

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && WHITESPACE.has(s[i])) i++;
    if (i >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (SPECIAL.has(s[i])) {
      const two = s.slice(i, i + 2);
      const lit = two === '!=' || two === '==' ? two : s[i];
      out.push({ tok: lit as Tok, lit });
      i += lit.length;
      continue;
    }
    const start = i;
    while (i < s.length && !SPECIAL.has(s[i]) && !WHITESPACE.has(s[i])) i++;
    const lit = s.slice(start, i);
    out.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  /** In value position the keywords `in` and `notin` are ordinary identifiers. */
  private peek(asValue = true): Token {
    const t = this.tokens[this.pos];
    return asValue && (t.tok === 'in' || t.tok === 'notin') ? { tok: 'id', lit: t.lit } : t;
  }

  private next(asValue = true): Token {
    const t = this.peek(asValue);
    this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.tok === 'end') return requirements;
      if (t.tok !== 'id' && t.tok !== '!') throw new SelectorSyntaxError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.requirement());
      } catch (e) {
        if (e instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const sep = this.next();
      if (sep.tok === 'end') return requirements;
      if (sep.tok !== ',') throw new SelectorSyntaxError(`found '${sep.lit}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.tok !== 'id' && after.tok !== '!') throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    const negated = t.tok === '!';
    if (negated) t = this.next();
    if (t.tok !== 'id') throw new SelectorSyntaxError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const bad = keyError('<nil>', key);
    if (bad) throw new SelectorSyntaxError(bad);
    const following = this.peek().tok;
    if (negated || following === 'end' || following === ',') return newRequirement(key, negated ? '!' : 'exists', []);

    const op = this.next(false);
    switch (op.tok) {
      // Kubernetes validates the de-duplicated, sorted set, so error indices refer to it.
      case 'in': case 'notin': return newRequirement(key, op.tok, [...new Set(this.valueSet())].sort());
      case '=': case '==': case '!=': return newRequirement(key, op.tok, [this.exactValue()]);
      case '>': return newRequirement(key, 'gt', [this.exactValue()]);
      case '<': return newRequirement(key, 'lt', [this.exactValue()]);
      default: throw new SelectorSyntaxError(`found '${op.lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SelectorSyntaxError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        values.push(t.lit);
        const after = this.peek();
        if (after.tok === ')') break;
        if (after.tok !== ',') throw new SelectorSyntaxError(`found '${after.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // Empty members such as "(,a)", "(a,,b)" or "(a,)" stand for the empty value.
        if (values.length === 0) values.push('');
        const after = this.peek().tok;
        if (after === ',' || after === ')') values.push('');
        if (after === ')') break;
      } else {
        throw new SelectorSyntaxError(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    this.next();
    return values;
  }

  private exactValue(): string {
    const t = this.peek();
    if (t.tok === 'end' || t.tok === ',') return '';
    this.next();
    if (t.tok !== 'id') throw new SelectorSyntaxError(`found '${t.lit}', expected: identifier`);
    return t.lit;
  }
}

/**
 * Parses the `labelSelector` query parameter. Syntax errors are 400
 * BadRequest with kube-apiserver's wording, e.g.
 * "unable to parse requirement: found '', expected: identifier".
 */
export function parseLabelSelector(selector: string): LabelSelector {
  try {
    return LabelSelector.of(new Parser(lex(selector)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/** A metav1.LabelSelector as it appears in object specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, an
 * empty one everything. Invalid content is 400 BadRequest.
 */
export function labelSelectorFromObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
  if (!selector) return LabelSelector.nothing();
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  try {
    const requirements = labels.map(([k, v]) => newRequirement(k, '=', [v]));
    for (const expr of expressions) {
      const op = Object.hasOwn(EXPRESSION_OPERATORS, expr.operator) ? EXPRESSION_OPERATORS[expr.operator] : undefined;
      if (!op) throw new SelectorSyntaxError(`${goQuote(expr.operator)} is not a valid label selector operator`);
      requirements.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
    return LabelSelector.of(requirements);
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/**
 * labelSelectorFromObject for selectors read from stored objects, which
 * validation should have refused if invalid: undefined, instead of an
 * error, for a selector that does not parse (or is not even shaped like one).
 */
export function tryLabelSelectorFromObject(selector: LabelSelectorObject | null | undefined): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(selector);
  } catch {
    return undefined;
  }
}

/** An equality selector for exactly these labels, unvalidated like labels.SelectorFromSet. */
export function selectorFromSet(labels: Record<string, string> | null | undefined): LabelSelector {
  return LabelSelector.of(Object.entries(labels ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}
