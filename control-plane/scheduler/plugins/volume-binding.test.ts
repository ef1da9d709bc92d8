import test from 'ava';
import type { AnyObject } from '../../../client/resource.js';
import type { RestClient } from '../../../client/rest-client.js';
import { emptyListers, nodeInfo, nodeObject, podObject, runFilter, snapshotOf, type TestListers } from '../../../test/scheduler/fixtures.js';
import { PodInfo } from '../framework/pod-info.js';
import { volumeBinding } from './volume-binding.js';

const WFFC = 'WaitForFirstConsumer';

function world(): { listers: TestListers; nodes: ReturnType<typeof nodeInfo>[] } {
  const listers = emptyListers();
  listers.storageClasses.set({ metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: WFFC });
  listers.storageClasses.set({ metadata: { name: 'ebs' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: WFFC,
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['us-east-1a', 'us-east-1b'] }] }] });
  listers.storageClasses.set({ metadata: { name: 'now' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'Immediate' });
  const nodes = [nodeInfo(nodeObject('a', { zone: 'us-east-1a' })), nodeInfo(nodeObject('b', { zone: 'us-east-1b' })), nodeInfo(nodeObject('c', { zone: 'us-east-1c' }))];
  return { listers, nodes };
}

const claim = (name: string, spec: Record<string, any>, annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '10', ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, ...spec },
});
const localVolume = (name: string, node: string, size: string) => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, resourceVersion: '20' },
  spec: {
    storageClassName: 'local', capacity: { storage: size }, accessModes: ['ReadWriteOnce'],
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
  },
  status: { phase: 'Available' },
});
const usesClaim = (name: string, claimName: string) => podObject(name, { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } });
const plugin = (listers: TestListers, nodes: ReturnType<typeof nodeInfo>[]) => volumeBinding({ client: {} as RestClient, listers, nodes: snapshotOf(nodes) });

test('PreFilter: a missing claim, and unbound claims of Immediate classes, keep the pod off every node', (t) => {
  const { listers, nodes } = world();
  t.deepEqual(runFilter(plugin(listers, nodes), usesClaim('p', 'ghost'), nodes).preFilter, { code: 'UnschedulableAndUnresolvable', reasons: ['persistentvolumeclaim "ghost" not found'] });
  listers.persistentVolumeClaims.set(claim('fast', { storageClassName: 'now' }));
  listers.persistentVolumeClaims.set(claim('classless', {}));
  for (const name of ['fast', 'classless']) {
    t.deepEqual(runFilter(plugin(listers, nodes), usesClaim('p', name), nodes).preFilter, { code: 'UnschedulableAndUnresolvable', reasons: ['pod has unbound immediate PersistentVolumeClaims'] });
  }
  const eph = podObject('e', { spec: { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } });
  t.deepEqual(runFilter(plugin(listers, nodes), eph, nodes).preFilter, { code: 'UnschedulableAndUnresolvable', reasons: ['waiting for ephemeral volume controller to create the persistentvolumeclaim "e-scratch"'] });
  t.is(runFilter(plugin(listers, nodes), podObject('none'), nodes).preFilter, 'skip');
});

test('Filter: a bound volume must admit the node; a waiting claim needs an Available volume there', (t) => {
  const { listers, nodes } = world();
  listers.persistentVolumes.set({ ...localVolume('pv-b', 'b', '20Gi'), spec: { ...localVolume('pv-b', 'b', '20Gi').spec, claimRef: { name: 'bound', namespace: 'default', uid: 'uid-bound' } }, status: { phase: 'Bound' } });
  listers.persistentVolumeClaims.set(claim('bound', { storageClassName: 'local', volumeName: 'pv-b' }, { 'pv.kubernetes.io/bind-completed': 'yes' }));
  const conflict = { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had volume node affinity conflict'] };
  t.deepEqual(runFilter(plugin(listers, nodes), usesClaim('p', 'bound'), nodes).byNode, { a: conflict, b: undefined, c: conflict });

  listers.persistentVolumeClaims.set(claim('local-claim', { storageClassName: 'local' }));
  listers.persistentVolumes.set(localVolume('pv-a-small', 'a', '5Gi'));
  listers.persistentVolumes.set(localVolume('pv-a-big', 'a', '50Gi'));
  listers.persistentVolumes.set(localVolume('pv-a-fit', 'a', '10Gi'));
  const noVolume = { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't find available persistent volumes to bind"] };
  t.deepEqual(runFilter(plugin(listers, nodes), usesClaim('q', 'local-claim'), nodes).byNode, { a: undefined, b: noVolume, c: noVolume });
});

test('Reserve assumes the smallest fitting volume prebound to the claim, so the next pod cannot take it', (t) => {
  const { listers, nodes } = world();
  listers.persistentVolumeClaims.set(claim('one', { storageClassName: 'local' }));
  listers.persistentVolumeClaims.set(claim('two', { storageClassName: 'local' }));
  listers.persistentVolumes.set(localVolume('pv-big', 'a', '50Gi'));
  listers.persistentVolumes.set(localVolume('pv-fit', 'a', '10Gi'));
  const vb = plugin(listers, nodes);
  const first = runFilter(vb, usesClaim('p1', 'one'), nodes);
  vb.reserve!(first.state, new PodInfo(usesClaim('p1', 'one')), 'a');
  const second = runFilter(vb, usesClaim('p2', 'two'), nodes);
  vb.reserve!(second.state, new PodInfo(usesClaim('p2', 'two')), 'a');
  const reserved = (s: typeof first.state) => (s.read<any>('VolumeBinding').reserved.staticBindings as { pv: AnyObject }[]).map((b) => b.pv);
  const [pv1] = reserved(first.state);
  const [pv2] = reserved(second.state);
  t.is(pv1.metadata.name, 'pv-fit');
  t.like(pv1.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'one', uid: 'uid-one' });
  t.is(pv1.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
  t.is(pv2.metadata.name, 'pv-big');
  vb.unreserve!(first.state, new PodInfo(usesClaim('p1', 'one')), 'a');
  t.is(runFilter(vb, usesClaim('p3', 'one'), nodes).byNode.a, undefined);
});

test('with no volume, a class with a provisioner fits the nodes its allowedTopologies admit; Reserve selects the node on the claim', (t) => {
  const { listers, nodes } = world();
  listers.persistentVolumeClaims.set(claim('dyn', { storageClassName: 'ebs' }));
  const vb = plugin(listers, nodes);
  const pod = usesClaim('p', 'dyn');
  const r = runFilter(vb, pod, nodes);
  t.deepEqual(r.byNode, { a: undefined, b: undefined, c: { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't find available persistent volumes to bind"] } });
  vb.reserve!(r.state, new PodInfo(pod), 'b');
  const selected = r.state.read<any>('VolumeBinding').reserved.provisions[0];
  t.is(selected.metadata.annotations['volume.kubernetes.io/selected-node'], 'b');
  const again = runFilter(vb, usesClaim('p2', 'dyn'), nodes);
  t.deepEqual(Object.entries(again.byNode).filter(([, s]) => !s).map(([n]) => n), ['b'], 'a claim with a selected node fits only that node');
});
