import test from 'ava';
import { AssumeCache, compareResourceVersions } from './assume-cache.js';
import type { AnyObject } from './resource.js';
import { Store } from './store.js';

const pv = (name: string, resourceVersion: string, extra: Record<string, unknown> = {}, uid = `uid-${name}`): AnyObject =>
  ({ metadata: { name, resourceVersion, uid }, spec: {}, ...extra });

function setup() {
  const store = new Store<AnyObject>({ byClass: (o) => [o.spec?.storageClassName ?? ''] });
  store.set(pv('a', '10', { spec: { storageClassName: 'local' } }));
  store.set(pv('b', '11', { spec: { storageClassName: 'local' } }));
  return { store, cache: new AssumeCache('persistentvolume', store) };
}

test('resourceVersions compare as etcd revisions; anything else compares equal', (t) => {
  t.is(compareResourceVersions('9', '10'), -1);
  t.is(compareResourceVersions('10', '10'), 0);
  t.is(compareResourceVersions('11', '10'), 1);
  t.is(compareResourceVersions(undefined, '10'), 0);
  t.is(compareResourceVersions('abc', '10'), 0);
});

test('an assumed object is seen until the informer delivers a newer version, or it is restored', (t) => {
  const { store, cache } = setup();
  const assumed = pv('a', '10', { spec: { storageClassName: 'local', claimRef: { name: 'data' } } });
  cache.assume(assumed);
  t.is(cache.get('a'), assumed);
  t.is(cache.apiObject('a'), store.get('a'));
  t.deepEqual(cache.byIndex('byClass', 'local').map((o) => o.spec.claimRef?.name), ['data', undefined]);
  t.deepEqual(cache.list().map((o) => o.spec.claimRef?.name), ['data', undefined]);
  store.set(pv('a', '10', { spec: { storageClassName: 'local' } }));
  t.is(cache.get('a'), assumed, 'a resync of the same version does not undo it');
  store.set(pv('a', '12'));
  t.is(cache.get('a')!.metadata.resourceVersion, '12');
  cache.assume(pv('b', '11', { status: { phase: 'Bound' } }));
  cache.restore('b');
  t.is(cache.get('b'), store.get('b'));
});

test('assume refuses an object not known or older than the one seen', (t) => {
  const { cache } = setup();
  t.throws(() => cache.assume(pv('ghost', '1')), { message: 'persistentvolume "ghost" not found' });
  t.throws(() => cache.assume(pv('a', '9')), { message: 'persistentvolume "a" is out of sync (stored: 10, assume: 9)' });
});

test('written objects are seen until the informer catches up; older answers and objects gone or made anew give way', (t) => {
  const { store, cache } = setup();
  const written = pv('a', '20', { status: { phase: 'Bound' } });
  t.is(cache.written(written), written);
  t.is(cache.get('a'), written);
  cache.written(pv('a', '15'));
  t.is(cache.get('a'), written, 'an answer older than what is seen is ignored');
  store.set(pv('a', '20', { status: { phase: 'Bound' } }));
  store.set(pv('a', '21'));
  t.is(cache.get('a')!.metadata.resourceVersion, '21');

  cache.written(pv('b', '30'));
  store.set(pv('b', '25', {}, 'uid-recreated'));
  t.is(cache.get('b')!.metadata.uid, 'uid-recreated');
  cache.written(pv('b', '40', {}, 'uid-recreated'));
  store.delete('b');
  t.is(cache.get('b'), undefined);
});
