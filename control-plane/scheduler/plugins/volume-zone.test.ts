import test from 'ava';
import { emptyListers, nodeInfo, nodeObject, podObject, runFilter } from '../../../test/scheduler/fixtures.js';
import { volumeZone } from './volume-zone.js';

test('a bound volume\'s zone labels pick the nodes in those zones; nodes without topology labels always fit', (t) => {
  const listers = emptyListers();
  listers.persistentVolumes.set({ metadata: { name: 'pv-a', labels: { 'topology.kubernetes.io/zone': 'us-east-1a__us-east-1c' } }, spec: {} });
  listers.persistentVolumeClaims.set({ metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv-a' } });
  const bare = nodeObject('bare');
  bare.metadata.labels = {};
  const nodes = [nodeInfo(nodeObject('a', { zone: 'us-east-1a' })), nodeInfo(nodeObject('b', { zone: 'us-east-1b' })), nodeInfo(nodeObject('c', { zone: 'us-east-1c' })), nodeInfo(bare)];
  const pod = podObject('p', { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } });
  t.deepEqual(runFilter(volumeZone(listers), pod, nodes).byNode, {
    a: undefined, b: { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had no available volume zone'] }, c: undefined, bare: undefined,
  });
  const missing = podObject('q', { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }] } });
  t.deepEqual(runFilter(volumeZone(listers), missing, nodes).preFilter, { code: 'UnschedulableAndUnresolvable', reasons: ['persistentvolumeclaim "nope" not found'] });
});
