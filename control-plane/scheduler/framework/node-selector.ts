type Labels = Record<string, string>;
type Requirement = (labels: Labels, name: string) => boolean;

const INTEGER = /^[+-]?\d+$/;

function labelRequirement(r: any): Requirement | undefined {
  const key = r?.key;
  const values: string[] = Array.isArray(r?.values) ? r.values : [];
  if (typeof key !== 'string' || !key) return undefined;
  switch (r.operator) {
    case 'In':
      return values.length ? (labels) => Object.hasOwn(labels, key) && values.includes(labels[key]) : undefined;
    case 'NotIn':
      return values.length ? (labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key]) : undefined;
    case 'Exists':
      return values.length ? undefined : (labels) => Object.hasOwn(labels, key);
    case 'DoesNotExist':
      return values.length ? undefined : (labels) => !Object.hasOwn(labels, key);
    case 'Gt': case 'Lt': {
      if (values.length !== 1 || !INTEGER.test(values[0])) return undefined;
      const bound = BigInt(values[0]);
      const gt = r.operator === 'Gt';
      return (labels) => {
        const v = labels[key];
        if (v === undefined || !INTEGER.test(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default:
      return undefined;
  }
}

/** Only metadata.name can be selected by field, with In or NotIn and one value. */
function fieldRequirement(r: any): Requirement | undefined {
  const values: string[] = Array.isArray(r?.values) ? r.values : [];
  if (r?.key !== 'metadata.name' || values.length !== 1) return undefined;
  if (r.operator === 'In') return (_labels, name) => name === values[0];
  if (r.operator === 'NotIn') return (_labels, name) => name !== values[0];
  return undefined;
}

/**
 * v1.NodeSelector: terms are ORed, the requirements within a term ANDed.
 * A term that is empty or cannot be parsed selects no node, as kube's
 * lazy-error node selector treats it.
 */
export class NodeSelectorTerms {
  private constructor(private readonly terms: readonly (readonly Requirement[])[]) {}

  static parse(raw: unknown): NodeSelectorTerms {
    const terms: Requirement[][] = [];
    for (const term of Array.isArray(raw) ? raw : []) {
      const exprs: unknown[] = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
      const fields: unknown[] = Array.isArray(term?.matchFields) ? term.matchFields : [];
      if (exprs.length === 0 && fields.length === 0) continue;
      const reqs = [...exprs.map(labelRequirement), ...fields.map(fieldRequirement)];
      if (reqs.every((r) => r)) terms.push(reqs as Requirement[]);
    }
    return new NodeSelectorTerms(terms);
  }

  matches(labels: Labels | undefined, name: string): boolean {
    const l = labels ?? {};
    for (const term of this.terms) {
      let ok = true;
      for (const r of term) {
        if (!r(l, name)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }
}

/** A single node selector term (a preferred scheduling term's preference). */
export function nodeSelectorTerm(raw: unknown): NodeSelectorTerms {
  return NodeSelectorTerms.parse([raw]);
}

/** v1helper.MatchTopologySelectorTerms (a StorageClass's allowedTopologies): no terms admit every node. */
export function matchTopologySelectorTerms(terms: unknown, labels: Labels | undefined): boolean {
  if (!Array.isArray(terms) || terms.length === 0) return true;
  const l = labels ?? {};
  for (const term of terms) {
    const exprs: any[] = Array.isArray(term?.matchLabelExpressions) ? term.matchLabelExpressions : [];
    if (exprs.length === 0) continue;
    if (exprs.every((e) => Array.isArray(e?.values) && e.values.length > 0 && Object.hasOwn(l, e.key) && e.values.includes(l[e.key]))) return true;
  }
  return false;
}
