import test from 'ava';
import { isNodeReady, nodeCondition, zoneKey } from './node-status.js';

test('a node\'s zone key is its region and zone labels, the deprecated forms where the stable ones are missing', (t) => {
  t.is(zoneKey({ 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' }), 'r:\0:z');
  t.is(zoneKey({ 'failure-domain.beta.kubernetes.io/zone': 'z' }), ':\0:z');
  t.is(zoneKey({}), '');
  t.is(zoneKey(undefined), '');
});

test('conditions are found by type; a node is ready when Ready is True', (t) => {
  const node = { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  t.is(nodeCondition(node.status, 'Ready')?.status, 'True');
  t.is(nodeCondition(node.status, 'DiskPressure'), undefined);
  t.true(isNodeReady(node));
  t.false(isNodeReady({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }));
  t.false(isNodeReady({}));
});
