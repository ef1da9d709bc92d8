import test from 'ava';
import type { KObject } from '../kind.js';
import { checkStructure } from '../validation/structural.js';
import { event } from './event.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const make = (extra: KObject = {}): KObject => ({
  apiVersion: 'v1', kind: 'Event',
  metadata: { name: 'web-1.17c2b3a4d5e6f789', namespace: 'default', creationTimestamp: ago(600_000) },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1', apiVersion: 'v1', resourceVersion: '42', fieldPath: 'spec.containers{web}' },
  reason: 'Pulled', message: 'Successfully pulled image "nginx:1.27"\n', type: 'Normal',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: ago(600_000), lastTimestamp: ago(120_000), count: 3,
  ...extra,
});

const cell = (e: KObject, column: string) => event.columns.find((c) => c.name === column)!.cell(e);

test('columns and their order as kubectl get events prints them', (t) => {
  t.deepEqual(event.columns.map((c) => [c.name, c.priority]), [
    ['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1],
  ]);
  t.deepEqual(event.columns.map((c) => c.cell(make())), [
    '2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Successfully pulled image "nginx:1.27"', '10m', 3, 'web-1.17c2b3a4d5e6f789',
  ]);
});

test('new-style events: eventTime, series and reporting fields', (t) => {
  const e = make({ firstTimestamp: undefined, lastTimestamp: undefined, count: undefined, source: undefined, eventTime: '2024-01-01T00:00:00.123456Z', reportingComponent: 'default-scheduler', reportingInstance: 'sched-1' });
  e.eventTime = new Date(Date.now() - 45_000).toISOString().replace('Z', '123Z');
  t.is(cell(e, 'Last Seen'), '45s');
  t.is(cell(e, 'First Seen'), '45s');
  t.is(cell(e, 'Count'), 1);
  t.is(cell(e, 'Source'), 'default-scheduler, sched-1');
  e.series = { count: 7, lastObservedTime: ago(5_000) };
  t.is(cell(e, 'Last Seen'), '5s');
  t.is(cell(e, 'Count'), 7);
  const noTimes = make({ firstTimestamp: undefined, lastTimestamp: undefined });
  t.is(cell(noTimes, 'Last Seen'), '<unknown>');
});

test('object column without a name, for cluster-wide objects', (t) => {
  t.is(cell(make({ involvedObject: { kind: 'Node', name: 'node-1' } }), 'Object'), 'node/node-1');
  t.is(cell(make({ involvedObject: { kind: 'ClusterRole' } }), 'Object'), 'clusterrole');
});

test('validation: namespaces agree, type is Normal or Warning', (t) => {
  t.deepEqual(event.validate!(make()), []);
  t.deepEqual(event.validate!(make({ involvedObject: { kind: 'Node', name: 'node-1' } })), [], 'cluster objects report into default');
  t.deepEqual(event.validate!(make({ involvedObject: { kind: 'Pod', name: 'x', namespace: 'other' } })).map((c) => c.message),
    ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  const wrongNs = make({ involvedObject: { kind: 'Node', name: 'n' } });
  wrongNs.metadata.namespace = 'team-a';
  t.deepEqual(event.validate!(wrongNs).map((c) => c.field), ['involvedObject.namespace']);
  t.deepEqual(event.validate!(make({ type: 'Error' })).map((c) => c.message), ['type: Unsupported value: "Error": supported values: "Normal", "Warning"']);
  const newStyle = make({ eventTime: ago(1000) });
  t.deepEqual(event.validate!(newStyle).map((c) => c.message), ['reportingComponent: Required value', 'reportingInstance: Required value', 'action: Required value']);
});

test('field selectors', (t) => {
  const e = make();
  const f = event.fields!;
  t.is(f['involvedObject.kind'](e), 'Pod');
  t.is(f['involvedObject.namespace'](e), 'default');
  t.is(f['involvedObject.name'](e), 'web-1');
  t.is(f['involvedObject.uid'](e), 'u-1');
  t.is(f['involvedObject.apiVersion'](e), 'v1');
  t.is(f['involvedObject.resourceVersion'](e), '42');
  t.is(f['involvedObject.fieldPath'](e), 'spec.containers{web}');
  t.is(f.reason(e), 'Pulled');
  t.is(f.type(e), 'Normal');
  t.is(f.source(e), 'kubelet');
  t.is(f.source(make({ source: {}, reportingComponent: 'kubelet' })), 'kubelet');
  t.is(f.reportingComponent(e), '');
});

test('declaration and schema', (t) => {
  t.deepEqual(event.shortNames, ['ev']);
  t.true(event.namespaced);
  t.is(event.schema.properties!.involvedObject.definition, 'io.k8s.api.core.v1.ObjectReference');
  const e = make({ series: { count: 2, lastObservedTime: ago(1) }, action: 'Binding', related: { kind: 'Node', name: 'n' }, reportingComponent: 'x', reportingInstance: 'y', eventTime: ago(2) });
  t.deepEqual(checkStructure(e, event.schema), { typeErrors: [], unknownFields: [] });
});
