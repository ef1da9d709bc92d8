import test from 'ava';
import type { KObject } from '../kind.js';
import { priorityClass, SYSTEM_PRIORITY_CLASSES } from './priority-class.js';

const messages = (pc: KObject, old?: KObject) => priorityClass.validate!(pc, old).map((c) => c.message);
const defaulted = (pc: KObject) => {
  priorityClass.defaults!(pc);
  return pc;
};
const cellOf = (o: KObject, name: string) => priorityClass.columns.find((c) => c.name === name)!.cell(o);

test('defaults: preemptionPolicy PreemptLowerPriority, value 0; an unset globalDefault or description is left out as kube serializes them', (t) => {
  t.deepEqual(defaulted({ metadata: { name: 'low' }, globalDefault: false, description: '' }), { metadata: { name: 'low' }, value: 0, preemptionPolicy: 'PreemptLowerPriority' });
  t.deepEqual(defaulted({ metadata: { name: 'batch' }, value: -5, globalDefault: true, description: 'batch jobs', preemptionPolicy: 'Never' }),
    { metadata: { name: 'batch' }, value: -5, globalDefault: true, description: 'batch jobs', preemptionPolicy: 'Never' });
});

test('a user class is valid up to 1000000000, with either preemption policy', (t) => {
  t.deepEqual(messages(defaulted({ metadata: { name: 'high' }, value: 1_000_000_000 })), []);
  t.deepEqual(messages(defaulted({ metadata: { name: 'neg' }, value: -2_147_483_648, preemptionPolicy: 'Never' })), []);
  t.deepEqual(messages(defaulted({ metadata: { name: 'too-high' }, value: 1_000_000_001 })), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  t.deepEqual(messages(defaulted({ metadata: { name: 'odd' }, value: 1, preemptionPolicy: 'Sometimes' })), ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"']);
  t.deepEqual(messages(defaulted({ metadata: { name: 'blank' }, value: 1, preemptionPolicy: '' })), ['preemptionPolicy: Required value']);
});

test('system- names are reserved for the system classes, with exactly their value and not the global default', (t) => {
  for (const c of SYSTEM_PRIORITY_CLASSES) t.deepEqual(messages(defaulted({ metadata: { name: c.name }, value: c.value, description: c.description })), [], c.name);
  t.deepEqual(SYSTEM_PRIORITY_CLASSES.map((c) => [c.name, c.value]), [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]]);
  const reserved = "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: ";
  t.deepEqual(messages(defaulted({ metadata: { name: 'system-mine' }, value: 10 })), [`${reserved}system-mine is not a known system priority class`]);
  t.deepEqual(messages(defaulted({ metadata: { name: 'system-node-critical' }, value: 10 })), [`${reserved}value of system-node-critical PriorityClass must be 2000001000`]);
  t.deepEqual(messages(defaulted({ metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000, globalDefault: true })),
    [`${reserved}globalDefault of system-cluster-critical PriorityClass must be false`]);
  // The reserved-name check stands in for the maximum: a system- name is judged only by it.
  t.deepEqual(messages(defaulted({ metadata: { name: 'system-huge' }, value: 2_100_000_000 })), [`${reserved}system-huge is not a known system priority class`]);
});

test('an update may change description and globalDefault, never value or preemptionPolicy', (t) => {
  const old = defaulted({ metadata: { name: 'high' }, value: 1000 });
  t.deepEqual(messages(defaulted({ metadata: { name: 'high' }, value: 1000, description: 'now described', globalDefault: true }), old), []);
  t.deepEqual(messages(defaulted({ metadata: { name: 'high' }, value: 2000, preemptionPolicy: 'Never' }), old), [
    'value: Forbidden: may not be changed in an update.',
    'preemptionPolicy: Invalid value: "Never": field is immutable',
  ]);
  // As kube, updates skip the create rules: the name and value were checked when the class was made.
  const system = defaulted({ metadata: { name: 'system-node-critical' }, value: 2_000_001_000 });
  t.deepEqual(messages({ ...structuredClone(system), description: 'edited' }, system), []);
});

test('only the system classes are protected from deletion; every class starts at generation 1', (t) => {
  t.is(priorityClass.forbidDeletion!({ metadata: { name: 'system-cluster-critical' } }), 'this is a system priority class and cannot be deleted');
  t.is(priorityClass.forbidDeletion!({ metadata: { name: 'system-node-critical' } }), 'this is a system priority class and cannot be deleted');
  t.is(priorityClass.forbidDeletion!({ metadata: { name: 'system-other' } }), undefined);
  t.is(priorityClass.forbidDeletion!({ metadata: { name: 'high' } }), undefined);
  const pc: KObject = { metadata: { name: 'high' }, value: 1 };
  priorityClass.prepareForCreate!(pc);
  t.is(pc.metadata.generation, 1);
  t.falsy(priorityClass.hasGeneration);
});

test('columns, names and scope as kube serves them', (t) => {
  t.deepEqual(priorityClass.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Value', 'integer', 0], ['Global-Default', 'boolean', 0], ['Age', 'string', 0], ['PreemptionPolicy', 'string', 0],
  ]);
  const pc = defaulted({ metadata: { name: 'high' }, value: 1000, globalDefault: true });
  t.is(cellOf(pc, 'Name'), 'high');
  t.is(cellOf(pc, 'Value'), 1000);
  t.is(cellOf(pc, 'Global-Default'), true);
  t.is(cellOf(pc, 'PreemptionPolicy'), 'PreemptLowerPriority');
  t.is(cellOf({ metadata: { name: 'x' } }, 'Global-Default'), false);
  t.is(cellOf({ metadata: { name: 'x' } }, 'PreemptionPolicy'), '');
  t.like(priorityClass, { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass', namespaced: false });
  t.deepEqual(priorityClass.shortNames, ['pc']);
  t.deepEqual(priorityClass.schema.required, ['value']);
  t.falsy(priorityClass.returnDeletedObject);
});
