import test from 'ava';
import { labelSelectorFromObject } from '../../api/selectors/label-selector.js';
import type { EventHandlers, Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { SelectorCache } from '../../controllers/selector-cache.js';

const owner = (uid: string, resourceVersion: string | undefined, selector: unknown): AnyObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: uid, namespace: 'ns', uid, resourceVersion }, spec: { selector },
});

test('an owner\'s selector is parsed once per uid and resourceVersion, an invalid one too; a deleted owner is forgotten', (t) => {
  let parses = 0;
  const cache = new SelectorCache<AnyObject>((o) => {
    parses++;
    try {
      return labelSelectorFromObject(o.spec.selector);
    } catch {
      return undefined;
    }
  });
  let handlers: EventHandlers<AnyObject> = {};
  cache.forgetDeleted({ addEventHandler: (h: EventHandlers<AnyObject>) => (handlers = h) } as unknown as Informer<AnyObject>);

  const v1 = owner('a', '1', { matchLabels: { app: 'web' } });
  const selector = cache.get(v1);
  t.true(selector!.matches({ app: 'web' }));
  t.is(cache.get(structuredClone(v1)), selector);
  t.is(parses, 1);
  t.true(cache.get(owner('a', '2', { matchLabels: { app: 'db' } }))!.matches({ app: 'db' }));
  t.is(parses, 2, 'a new version is parsed again');

  const invalid = owner('b', '1', { matchExpressions: [{ key: 'app', operator: 'Bogus' }] });
  t.is(cache.get(invalid), undefined);
  t.is(cache.get(invalid), undefined);
  t.is(parses, 3);

  t.is(cache.size, 2);
  handlers.onDelete!(invalid);
  t.is(cache.size, 1);

  // Not from the API server (no resourceVersion): nothing to key it by.
  cache.get(owner('c', undefined, { matchLabels: { app: 'web' } }));
  cache.get(owner('c', undefined, { matchLabels: { app: 'web' } }));
  t.is(parses, 5);
});
