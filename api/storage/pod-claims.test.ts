import test from 'ava';
import { claimNamesOf, isClaimForPod, podClaims } from './pod-claims.js';

const pod = {
  metadata: { name: 'web-0', uid: 'pod-uid' },
  spec: {
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } },
      { name: 'config', configMap: { name: 'web' } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
      { name: 'unnamed', persistentVolumeClaim: {} },
    ],
  },
};

test('a pod\'s claims: persistentVolumeClaim volumes by name, ephemeral volumes by the claim made for them', (t) => {
  t.deepEqual(podClaims(pod), [
    { name: 'data-web-0', ephemeral: false }, { name: 'web-0-scratch', ephemeral: true }, { name: '', ephemeral: false },
  ]);
  t.deepEqual(claimNamesOf(pod), ['data-web-0', 'web-0-scratch']);
  t.deepEqual(podClaims({ metadata: { name: 'bare' } }), []);
});

test('an ephemeral claim is the pod\'s when the pod is its controller', (t) => {
  const claim = (refs: object[]) => ({ metadata: { name: 'web-0-scratch', ownerReferences: refs } });
  t.true(isClaimForPod(pod, claim([{ kind: 'Pod', name: 'web-0', uid: 'pod-uid', controller: true }])));
  t.false(isClaimForPod(pod, claim([{ kind: 'Pod', name: 'web-0', uid: 'earlier-pod', controller: true }])));
  t.false(isClaimForPod(pod, claim([{ kind: 'Pod', name: 'web-0', uid: 'pod-uid' }])), 'an owner that is not the controller');
  t.false(isClaimForPod(pod, { metadata: { name: 'web-0-scratch' } }));
});
