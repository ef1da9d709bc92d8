import test from 'ava';
import type { AnyObject } from './resource.js';
import { byNamespace, namespaceIndex, objectKey, splitKey, Store } from './store.js';

const pod = (namespace: string | undefined, name: string, node?: string): AnyObject => ({ metadata: { namespace, name }, spec: { nodeName: node } });
const byNode = (obj: AnyObject) => (obj.spec?.nodeName ? [obj.spec.nodeName] : []);

test('keys are namespace/name, or name for cluster-scoped objects, and split back', (t) => {
  t.is(objectKey(pod('web', 'p1')), 'web/p1');
  t.is(objectKey({ metadata: { name: 'n1' } }), 'n1');
  t.throws(() => objectKey({ metadata: {} }), { message: /no key/ });
  t.deepEqual(splitKey('web/p1'), { namespace: 'web', name: 'p1' });
  t.deepEqual(splitKey('n1'), { name: 'n1' });
  t.throws(() => splitKey('a/b/c'), { message: /malformed/ });
  t.throws(() => splitKey('/b'), { message: /malformed/ });
});

test('indexes follow sets, replacements and deletes', (t) => {
  const store = new Store<AnyObject>({ [namespaceIndex]: byNamespace, node: byNode });
  t.is(store.set(pod('web', 'p1', 'n1')), undefined);
  store.set(pod('web', 'p2', 'n1'));
  store.set(pod('db', 'p3'));
  t.deepEqual(store.indexKeys('node', 'n1').sort(), ['web/p1', 'web/p2']);
  t.deepEqual(store.byIndex(namespaceIndex, 'db').map(objectKey), ['db/p3']);

  const old = store.get('web/p2');
  t.is(store.set(pod('web', 'p2', 'n2')), old, 'a replacement answers the old object');
  t.deepEqual(store.indexKeys('node', 'n1'), ['web/p1']);
  t.deepEqual(store.indexKeys('node', 'n2'), ['web/p2']);

  t.is(store.delete('web/p1')?.metadata.name, 'p1');
  t.is(store.delete('web/p1'), undefined);
  t.deepEqual(store.indexKeys('node', 'n1'), []);
  t.is(store.size, 2);
  t.throws(() => store.byIndex('missing', 'x'), { message: /no index named missing/ });
});

test('an index added later covers what the store already holds', (t) => {
  const store = new Store<AnyObject>();
  store.set(pod('web', 'p1', 'n1'));
  store.addIndexer('node', byNode);
  t.deepEqual(store.indexKeys('node', 'n1'), ['web/p1']);
  t.throws(() => store.addIndexer('node', byNode), { message: /already exists/ });
});
