/**
 * Semantic checks of a pod's scheduling constraints: node affinity (node
 * selectors and preferred terms) and pod (anti-)affinity, with
 * kube-apiserver v1.32's field paths and wording (validation.go's
 * validateAffinity and what it calls).
 */
import type { KObject } from '../kind.js';
import { validateLabelSelector } from '../label-selector-schema.js';
import { forbidden, invalid, required, type Cause } from './field-errors.js';
import { dns1123Label, dns1123Subdomain, qualifiedName } from './names.js';

const isObject = (v: unknown): v is KObject => !!v && typeof v === 'object' && !Array.isArray(v);
const listOf = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const stringsOf = (v: unknown): string[] => listOf(v).map(String);
/** A string field as Go decodes it: absent is "". */
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const NOT_AN_OPERATOR = 'not a valid selector operator';
const WEIGHT_RANGE = 'must be in the range 1-100';
/** The one node field a matchFields requirement may name. */
const NODE_NAME_FIELD = 'metadata.name';

/** A preferred term's weight: 1 to 100; absent is Go's zero. */
function validateWeight(weight: unknown, field: string, causes: Cause[]): void {
  const w = weight ?? 0;
  if (typeof w !== 'number' || !(w >= 1 && w <= 100)) causes.push(invalid(field, w, WEIGHT_RANGE));
}

/**
 * ValidateNodeSelectorRequirement (matchExpressions): the operator decides
 * how many values there may be; the key is a label key. v1.32 checks neither
 * the values' syntax nor that Gt and Lt are given an integer.
 */
function validateNodeSelectorRequirement(r: KObject, field: string, causes: Cause[]): void {
  const values = listOf(r.values);
  switch (r.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) causes.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) causes.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) causes.push(required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      causes.push(invalid(`${field}.operator`, text(r.operator), NOT_AN_OPERATOR));
  }
  causes.push(...qualifiedName(`${field}.key`, text(r.key)));
}

/** ValidateNodeFieldSelectorRequirement (matchFields): metadata.name, In or NotIn, one node name. */
function validateNodeFieldSelectorRequirement(r: KObject, field: string, causes: Cause[]): void {
  const values = stringsOf(r.values);
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if (values.length !== 1) causes.push(required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    causes.push(invalid(`${field}.operator`, text(r.operator), NOT_AN_OPERATOR));
  }
  if (r.key !== NODE_NAME_FIELD) {
    causes.push(invalid(`${field}.key`, text(r.key), 'not a valid field selector key'));
    return;
  }
  values.forEach((v, i) => causes.push(...dns1123Subdomain(`${field}.values[${i}]`, v)));
}

/** ValidateNodeSelectorTerm. An empty term is valid; it selects no node. */
export function validateNodeSelectorTerm(term: unknown, field: string): Cause[] {
  const causes: Cause[] = [];
  if (!isObject(term)) return causes;
  listOf(term.matchExpressions).forEach((r, j) => validateNodeSelectorRequirement(isObject(r) ? r : {}, `${field}.matchExpressions[${j}]`, causes));
  listOf(term.matchFields).forEach((r, j) => validateNodeFieldSelectorRequirement(isObject(r) ? r : {}, `${field}.matchFields[${j}]`, causes));
  return causes;
}

/** ValidateNodeSelector (a pod's required node affinity, a volume's node affinity): at least one term, each valid. */
export function validateNodeSelector(selector: unknown, field: string): Cause[] {
  const terms = listOf(isObject(selector) ? selector.nodeSelectorTerms : undefined);
  if (terms.length === 0) return [required(`${field}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return terms.flatMap((term, i) => validateNodeSelectorTerm(term, `${field}.nodeSelectorTerms[${i}]`));
}

function validateNodeAffinity(na: KObject, field: string, causes: Cause[]): void {
  const hard = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (hard !== undefined && hard !== null) causes.push(...validateNodeSelector(hard, `${field}.requiredDuringSchedulingIgnoredDuringExecution`));
  listOf(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    const p = `${field}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const term: KObject = isObject(t) ? t : {};
    validateWeight(term.weight, `${p}.weight`, causes);
    causes.push(...validateNodeSelectorTerm(term.preference, `${p}.preference`));
  });
}

/** A metav1.LabelSelector's keys, matchLabels first. */
const selectorKeys = (selector: KObject): { labels: string[]; expressions: string[] } => ({
  labels: isObject(selector.matchLabels) ? Object.keys(selector.matchLabels) : [],
  expressions: listOf(selector.matchExpressions).map((e) => text(e?.key)),
});

/** validateLabelKeys: label keys, and only beside a label selector. */
function validateLabelKeys(keys: string[], selector: unknown, field: string, causes: Cause[]): void {
  if (keys.length === 0) return;
  if (!isObject(selector)) {
    causes.push(forbidden(field, 'must not be specified when labelSelector is not set'));
    return;
  }
  keys.forEach((k, i) => causes.push(...qualifiedName(`${field}[${i}]`, k)));
}

/**
 * validateMatchLabelKeysAndMismatchLabelKeys. On a Pod the API server has
 * already merged matchLabelKeys into the selector as `key In (value)`, so a
 * key the user also selects on appears twice and is caught here; kube reports
 * it at the term's path indexed by the key's position in matchLabelKeys.
 */
function validateMatchLabelKeys(term: KObject, field: string, causes: Cause[]): void {
  const matchKeys = stringsOf(term.matchLabelKeys);
  const mismatchKeys = stringsOf(term.mismatchLabelKeys);
  validateLabelKeys(matchKeys, term.labelSelector, `${field}.matchLabelKeys`, causes);
  validateLabelKeys(mismatchKeys, term.labelSelector, `${field}.mismatchLabelKeys`, causes);
  if (isObject(term.labelSelector)) {
    const position = new Map<string, number>();
    matchKeys.forEach((k, i) => position.set(k, i));
    const { labels, expressions } = selectorKeys(term.labelSelector);
    const seen = new Set(labels);
    for (const key of expressions) {
      const i = position.get(key);
      if (i !== undefined && seen.has(key)) causes.push(invalid(`${field}[${i}]`, key, 'exists in both matchLabelKeys and labelSelector'));
      seen.add(key);
    }
  }
  const mismatch = new Set(mismatchKeys);
  matchKeys.forEach((k, i) => {
    if (mismatch.has(k)) causes.push(invalid(`${field}.matchLabelKeys[${i}]`, k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
}

/** A label selector as kube validates those of pod affinity terms (label values checked too). */
const selectorCauses = (selector: unknown, field: string): Cause[] =>
  (selector === undefined || selector === null ? [] : validateLabelSelector(field, isObject(selector) ? selector : {}));

/** validatePodAffinityTerm. Bad namespaces are reported at `namespace`, singular, as kube does. */
function validatePodAffinityTerm(term: KObject, field: string, causes: Cause[]): void {
  causes.push(...selectorCauses(term.labelSelector, `${field}.labelSelector`));
  causes.push(...selectorCauses(term.namespaceSelector, `${field}.namespaceSelector`));
  for (const ns of stringsOf(term.namespaces)) causes.push(...dns1123Label(`${field}.namespace`, ns));
  validateMatchLabelKeys(term, field, causes);
  const topologyKey = text(term.topologyKey);
  if (topologyKey === '') causes.push(required(`${field}.topologyKey`, 'can not be empty'));
  causes.push(...qualifiedName(`${field}.topologyKey`, topologyKey));
}

/** validatePodAffinity and validatePodAntiAffinity: the two take the same terms. */
function validatePodAffinity(pa: KObject, field: string, causes: Cause[]): void {
  listOf(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    validatePodAffinityTerm(isObject(t) ? t : {}, `${field}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, causes);
  });
  listOf(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    const p = `${field}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const weighted: KObject = isObject(t) ? t : {};
    validateWeight(weighted.weight, `${p}.weight`, causes);
    validatePodAffinityTerm(isObject(weighted.podAffinityTerm) ? weighted.podAffinityTerm : {}, `${p}.podAffinityTerm`, causes);
  });
}

/** validateAffinity: a PodSpec's `affinity` at `field` (spec.affinity, spec.template.spec.affinity). */
export function validateAffinity(affinity: unknown, field: string): Cause[] {
  const causes: Cause[] = [];
  if (!isObject(affinity)) return causes;
  if (isObject(affinity.nodeAffinity)) validateNodeAffinity(affinity.nodeAffinity, `${field}.nodeAffinity`, causes);
  if (isObject(affinity.podAffinity)) validatePodAffinity(affinity.podAffinity, `${field}.podAffinity`, causes);
  if (isObject(affinity.podAntiAffinity)) validatePodAffinity(affinity.podAntiAffinity, `${field}.podAntiAffinity`, causes);
  return causes;
}
