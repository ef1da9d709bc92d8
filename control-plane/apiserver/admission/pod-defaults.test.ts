import test from 'ava';
import { podDefaults } from './pod-defaults.js';

test('a new pod gets tolerations for not-ready and unreachable nodes', async (t) => {
  const pod: Record<string, any> = { spec: { containers: [{ name: 'c', image: 'b' }] } };
  await podDefaults(pod);
  t.deepEqual(pod.spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});

test('tolerations the pod already has are kept and not doubled', async (t) => {
  const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
  const pod: Record<string, any> = { spec: { tolerations: [own] } };
  await podDefaults(pod);
  t.deepEqual(pod.spec.tolerations.map((x: any) => [x.key, x.tolerationSeconds]), [['node.kubernetes.io/not-ready', 10], ['node.kubernetes.io/unreachable', 300]]);
  const everything: Record<string, any> = { spec: { tolerations: [{ operator: 'Exists' }] } };
  await podDefaults(everything);
  t.is(everything.spec.tolerations.length, 1);
});
