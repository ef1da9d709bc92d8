import test from 'ava';
import { emptyListers, nodeInfo, nodeObject, podObject, runFilter } from '../../../test/scheduler/fixtures.js';
import { nodeVolumeLimits } from './node-volume-limits.js';

test('distinct EBS volumes on the node plus the new pod\'s may not exceed attachable-volumes-aws-ebs', (t) => {
  const listers = emptyListers();
  for (const [pv, id] of [['pv-1', 'vol-1'], ['pv-2', 'vol-2'], ['pv-3', 'vol-3']]) {
    listers.persistentVolumes.set({ metadata: { name: pv }, spec: { csi: { driver: 'ebs.csi.aws.com', volumeHandle: id } } });
    listers.persistentVolumeClaims.set({ metadata: { name: `c-${pv}`, namespace: 'default' }, spec: { volumeName: pv } });
  }
  const mounts = (name: string, claims: string[], nodeName?: string) => podObject(name, {
    nodeName, spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) },
  });
  const full = nodeInfo(nodeObject('full', { allocatable: { 'attachable-volumes-aws-ebs': '2' } }), [mounts('a', ['c-pv-1'], 'full'), mounts('b', ['c-pv-2', 'c-pv-1'], 'full')]);
  const unlimited = nodeInfo(nodeObject('unlimited'), [mounts('c', ['c-pv-1', 'c-pv-2'], 'unlimited')]);
  const r = runFilter(nodeVolumeLimits(listers), mounts('new', ['c-pv-3']), [full, unlimited]);
  t.deepEqual(r.byNode, { full: { code: 'Unschedulable', reasons: ['node(s) exceed max volume count'] }, unlimited: undefined });
  t.is(runFilter(nodeVolumeLimits(listers), mounts('shared', ['c-pv-2']), [full]).byNode.full, undefined, 'a volume already attached costs nothing');
  t.is(runFilter(nodeVolumeLimits(listers), podObject('none'), [full]).preFilter, 'skip');
});
