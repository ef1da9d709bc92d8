import test from 'ava';
import { checkNodeAffinity } from './volume-node-affinity.js';

test('a volume\'s required node affinity is matched on the node\'s labels; none admits every node', (t) => {
  const term = (matchExpressions: object[], matchFields?: object[]) => ({ matchExpressions, ...(matchFields ? { matchFields } : {}) });
  const pv = (...nodeSelectorTerms: object[]) => ({ spec: { nodeAffinity: { required: { nodeSelectorTerms } } } });
  const zoneA = { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] };
  const labels = { 'topology.kubernetes.io/zone': 'us-east-1a' };
  t.true(checkNodeAffinity({ spec: {} }, labels));
  t.true(checkNodeAffinity({ spec: { nodeAffinity: {} } }, labels));
  t.true(checkNodeAffinity(pv(term([zoneA])), labels));
  t.false(checkNodeAffinity(pv(term([zoneA])), { 'topology.kubernetes.io/zone': 'us-east-1b' }));
  t.false(checkNodeAffinity(pv(term([zoneA])), undefined));
  t.false(checkNodeAffinity(pv(term([], [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }])), labels), 'the node\'s name reads as ""');
});
