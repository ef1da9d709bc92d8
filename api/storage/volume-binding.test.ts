import test from 'ava';
import type { KObject } from '../kind.js';
import { ANN_BOUND_BY_CONTROLLER } from './annotations.js';
import { bindVolumeToClaim, findMatchingVolume, isDelayBindingMode, isVolumeBoundToClaim, requestedStorage, volumeCapacity } from './volume-binding.js';

const claim = (spec: KObject = {}, metadata: KObject = {}): KObject => ({
  metadata: { name: 'data', namespace: 'default', uid: 'uid-data', resourceVersion: '7', ...metadata },
  spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, ...spec },
});
const volume = (name: string, size: string, extra: { spec?: KObject; metadata?: KObject; phase?: string } = {}): KObject => ({
  metadata: { name, ...extra.metadata },
  spec: { storageClassName: 'local', capacity: { storage: size }, accessModes: ['ReadWriteOnce'], ...extra.spec },
  status: { phase: extra.phase ?? 'Available' },
});
const onNode = (node: string) => ({ nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } });
const names = (v: KObject | undefined) => v?.metadata.name;

test('sizes are quantities: 10G is less than 10Gi, a missing size is zero', (t) => {
  const volumes = [volume('decimal', '10G'), volume('binary', '10240Mi'), volume('big', '11Gi')];
  t.is(names(findMatchingVolume(claim(), volumes)), 'binary');
  t.is(volumeCapacity(volume('none', '')).value, 0n);
  t.is(requestedStorage({ metadata: {}, spec: {} }).value, 0n);
});

test('the smallest Available volume of the class that fits the mode, the selector and is not being deleted', (t) => {
  const volumes = [
    volume('other-class', '10Gi', { spec: { storageClassName: 'fast' } }),
    volume('block', '10Gi', { spec: { volumeMode: 'Block' } }),
    volume('pending', '10Gi', { phase: 'Pending' }),
    volume('deleting', '10Gi', { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } }),
    volume('taken', '10Gi', { spec: { claimRef: { namespace: 'default', name: 'other' } } }),
    volume('unlabelled', '12Gi'),
    volume('labelled', '20Gi', { metadata: { labels: { tier: 'gold' } } }),
    volume('fit', '15Gi'),
  ];
  t.is(names(findMatchingVolume(claim(), volumes)), 'unlabelled');
  t.is(names(findMatchingVolume(claim({ selector: { matchLabels: { tier: 'gold' } } }), volumes)), 'labelled');
  t.is(names(findMatchingVolume(claim({ storageClassName: 'none' }), volumes)), undefined);
});

test('a volume pre-bound to the claim wins if it is big enough, whatever its phase; with delayed binding only it counts', (t) => {
  const prebound = volume('prebound', '50Gi', { spec: { claimRef: { namespace: 'default', name: 'data' } }, phase: 'Pending' });
  const volumes = [volume('small-fit', '10Gi'), prebound];
  t.is(names(findMatchingVolume(claim(), volumes)), 'prebound');
  t.is(names(findMatchingVolume(claim(), volumes, { delayBinding: true })), 'prebound');
  t.is(names(findMatchingVolume(claim(), [volume('small-fit', '10Gi')], { delayBinding: true })), undefined);
  const otherUid = volume('old', '50Gi', { spec: { claimRef: { namespace: 'default', name: 'data', uid: 'uid-before' } } });
  t.false(isVolumeBoundToClaim(otherUid, claim()));
  t.is(names(findMatchingVolume(claim(), [otherUid])), undefined);
});

test('on the scheduler\'s path the volume must admit the node and offer the access modes; chosen volumes are left out', (t) => {
  const volumes = [
    volume('on-b', '10Gi', { spec: onNode('b') }),
    volume('rwx-on-a', '10Gi', { spec: { ...onNode('a'), accessModes: ['ReadWriteMany'] } }),
    volume('on-a', '20Gi', { spec: onNode('a') }),
    volume('anywhere', '30Gi'),
  ];
  const a = { 'kubernetes.io/hostname': 'a' };
  t.is(names(findMatchingVolume(claim(), volumes, { nodeLabels: a })), 'on-a');
  t.is(names(findMatchingVolume(claim(), volumes, { nodeLabels: a, excluded: new Set(['on-a']) })), 'anywhere');
  t.is(names(findMatchingVolume(claim(), volumes, { nodeLabels: a, delayBinding: true })), 'on-a', 'the scheduler binds delayed claims');
  const prebound = volume('prebound-on-b', '10Gi', { spec: { ...onNode('b'), claimRef: { namespace: 'default', name: 'data' } } });
  t.is(names(findMatchingVolume(claim(), [...volumes, prebound], { nodeLabels: a })), undefined, 'a pre-bound volume elsewhere means no match');
});

test('binding a volume: claimRef to the claim, bound-by-controller unless the user pre-bound it; nothing when already so', (t) => {
  const free = volume('free', '10Gi');
  const bound = bindVolumeToClaim(free, claim())!;
  t.deepEqual(bound.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1', resourceVersion: '7' });
  t.is(bound.metadata.annotations[ANN_BOUND_BY_CONTROLLER], 'yes');
  t.is(free.spec.claimRef, undefined, 'the volume given is left as it is');
  t.is(bindVolumeToClaim(bound, claim()), undefined);
  const userBound = bindVolumeToClaim(volume('user', '10Gi', { spec: { claimRef: { namespace: 'default', name: 'data' } } }), claim())!;
  t.is(userBound.spec.claimRef.uid, 'uid-data');
  t.is(userBound.metadata.annotations, undefined);
});

test('delay binding follows the claim\'s class; a class without a binding mode is an error', (t) => {
  const classes = new Map<string, KObject>([
    ['wffc', { metadata: { name: 'wffc' }, volumeBindingMode: 'WaitForFirstConsumer' }],
    ['now', { metadata: { name: 'now' }, volumeBindingMode: 'Immediate' }],
    ['unset', { metadata: { name: 'unset' } }],
  ]);
  t.true(isDelayBindingMode(claim({ storageClassName: 'wffc' }), classes));
  t.false(isDelayBindingMode(claim({ storageClassName: 'now' }), classes));
  t.false(isDelayBindingMode(claim({ storageClassName: 'missing' }), classes));
  t.false(isDelayBindingMode(claim({ storageClassName: '' }), classes));
  t.true(isDelayBindingMode(claim({ storageClassName: 'now' }, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'wffc' } }), classes));
  t.throws(() => isDelayBindingMode(claim({ storageClassName: 'unset' }), classes), { message: 'VolumeBindingMode not set for StorageClass "unset"' });
});
