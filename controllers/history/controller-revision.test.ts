import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISION_HASH_LABEL, controllerRevisionName, equalRevision, newControllerRevision, nextRevision, revisionsToTruncate } from './controller-revision.js';

const parent: AnyObject = { metadata: { name: 'agent', namespace: 'ns', uid: 'uid-1' } };
const kind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const rev = (revision: number, data: unknown = { v: revision }) => newControllerRevision(parent, kind, { data, revision });

test('a revision is named and labelled by the hash of its data, moved on by the collision count', (t) => {
  const r = newControllerRevision(parent, kind, { templateLabels: { app: 'agent' }, annotations: { a: 'b' }, data: { v: 1 }, revision: 1 });
  const hash = r.metadata.labels![CONTROLLER_REVISION_HASH_LABEL];
  t.is(r.metadata.name, `agent-${hash}`);
  t.deepEqual(r.metadata.labels, { app: 'agent', [CONTROLLER_REVISION_HASH_LABEL]: hash });
  t.deepEqual(r.metadata.annotations, { a: 'b' });
  t.like(r.metadata.ownerReferences![0], { kind: 'DaemonSet', name: 'agent', uid: 'uid-1', controller: true });
  t.is(rev(1, { v: 1 }).metadata.name, r.metadata.name, 'the same data, the same name');
  t.not(rev(1, { v: 2 }).metadata.name, r.metadata.name);
  t.not(newControllerRevision(parent, kind, { data: { v: 1 }, revision: 1, collisionCount: 1 }).metadata.name, r.metadata.name);
  t.is(controllerRevisionName('x'.repeat(300), 'abc').length, 223 + 4);
});

test('equality, numbering and truncation', (t) => {
  t.true(equalRevision(rev(1, { v: 1 }), rev(5, { v: 1 })));
  t.false(equalRevision(rev(1, { v: 1 }), rev(1, { v: 2 })));
  t.is(nextRevision([rev(3), rev(1)]), 4);
  t.is(nextRevision([]), 1);
  const old = [rev(4), rev(1), rev(3), rev(2)];
  t.deepEqual(revisionsToTruncate(old, 2, () => false).map((r) => r.revision), [1, 2]);
  t.deepEqual(revisionsToTruncate(old, 2, (r) => r.revision === 1).map((r) => r.revision), [2, 3], 'a revision pods still run is kept');
  t.deepEqual(revisionsToTruncate(old, 10, () => false), []);
});
