import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { bool, enumOf, int32, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { forbidden, immutable, notSupported, required, type Cause } from '../validation/field-errors.js';

export const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';
const PREEMPTION_POLICIES = [PREEMPT_LOWER_PRIORITY, 'Never'];

/** The highest value a class not created by the system may have. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
const SYSTEM_PREFIX = 'system-';

/**
 * The classes every cluster has, which the API server creates at start and
 * refuses to delete; `system-` names are reserved for exactly these.
 */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyArray<{ name: string; value: number; description: string }> = [
  { name: 'system-node-critical', value: SYSTEM_CRITICAL_PRIORITY + 1000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: SYSTEM_CRITICAL_PRIORITY, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** Why a `system-` class is not one the system defines, or undefined when it is. */
function unknownSystemClass(pc: KObject): string | undefined {
  const name = pc.metadata?.name;
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (pc.value !== known.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if ((pc.globalDefault ?? false) !== false) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validatePreemptionPolicy(policy: unknown): Cause[] {
  if (policy === undefined || policy === null) return [];
  if (policy === '') return [required('preemptionPolicy')];
  return PREEMPTION_POLICIES.includes(policy as string) ? [] : [notSupported('preemptionPolicy', policy, PREEMPTION_POLICIES)];
}

// As kube: an update checks only that value and preemptionPolicy stay; the
// single global default is the Priority admission plugin's to enforce.
function validatePriorityClass(pc: KObject, old?: KObject): Cause[] {
  if (old) {
    const causes: Cause[] = [];
    if (pc.value !== old.value) causes.push(forbidden('value', 'may not be changed in an update.'));
    if (pc.preemptionPolicy !== old.preemptionPolicy) causes.push(immutable('preemptionPolicy', pc.preemptionPolicy ?? null));
    return causes;
  }
  const causes: Cause[] = [];
  if (String(pc.metadata?.name ?? '').startsWith(SYSTEM_PREFIX)) {
    const why = unknownSystemClass(pc);
    if (why) causes.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    causes.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  causes.push(...validatePreemptionPolicy(pc.preemptionPolicy));
  return causes;
}

export const priorityClass: Kind = {
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass',
  shortNames: ['pc'], namespaced: false,
  schema: named('io.k8s.api.scheduling.v1.PriorityClass', obj({
    ...typeMeta,
    value: int32('The priority pods naming this class get; at most 1000000000 unless the class is a system one. Immutable.'),
    globalDefault: bool('Whether pods that name no class get this one; only one class may be the default (if several are, the lowest value wins).'),
    description: str('Free text on when to use this class.'),
    preemptionPolicy: enumOf(PREEMPTION_POLICIES, 'Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority (default) or Never. Immutable.'),
  }, { required: ['value'], description: 'A name for a pod priority: the integer value pods naming it are given, and how they preempt.', gvk: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' } })),
  defaults(pc) {
    // value is always serialized; globalDefault and description only when set, as Go's omitempty has them.
    pc.value ??= 0;
    if (pc.globalDefault === false) delete pc.globalDefault;
    if (pc.description === '') delete pc.description;
    pc.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
  },
  prepareForCreate(pc) {
    // kube's strategy starts every class at generation 1 and never bumps it.
    pc.metadata.generation = 1;
  },
  validate: validatePriorityClass,
  forbidDeletion(pc) {
    return SYSTEM_PRIORITY_CLASSES.some((c) => c.name === pc.metadata?.name) ? 'this is a system priority class and cannot be deleted' : undefined;
  },
  columns: [
    nameColumn,
    { name: 'Value', type: 'integer', priority: 0, description: 'The priority pods of this class get.', cell: (o) => o.value ?? 0 },
    { name: 'Global-Default', type: 'boolean', priority: 0, description: 'Whether pods without a class get this one.', cell: (o) => o.globalDefault === true },
    ageColumn,
    { name: 'PreemptionPolicy', type: 'string', priority: 0, description: 'Whether pods of this class preempt lower-priority pods.', cell: (o) => o.preemptionPolicy ?? '' },
  ],
};
