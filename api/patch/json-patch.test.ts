import test from 'ava';
import { StatusError } from '../status.js';
import { MAX_JSON_PATCH_OPERATIONS, PatchApplyError, applyJsonPatch } from './json-patch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'example.com/a~b': 'x' } },
  spec: { containers: [{ name: 'a', image: 'one' }, { name: 'b', image: 'two' }], args: ['x', 'y'] },
});

test('add, remove and replace follow RFC 6902', (t) => {
  const out = applyJsonPatch(doc(), [
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'remove', path: '/metadata/labels/app' },
    { op: 'replace', path: '/spec/containers/0/image', value: 'three' },
    { op: 'add', path: '/spec/args/1', value: 'inserted' },
    { op: 'add', path: '/spec/args/-', value: 'last' },
  ]) as ReturnType<typeof doc>;
  t.deepEqual(out.metadata.labels, { tier: 'front' } as never);
  t.is(out.spec.containers[0].image, 'three');
  t.deepEqual(out.spec.args, ['x', 'inserted', 'y', 'last']);
});

test('JSON pointer escapes ~0 and ~1 are decoded', (t) => {
  const out = applyJsonPatch(doc(), [
    { op: 'replace', path: '/metadata/annotations/example.com~1a~0b', value: 'y' },
    { op: 'add', path: '/metadata/labels/a~1b', value: 'z' },
  ]) as ReturnType<typeof doc>;
  t.deepEqual(out.metadata.annotations, { 'example.com/a~b': 'y' });
  t.is((out.metadata.labels as Record<string, string>)['a/b'], 'z');
});

test('move and copy', (t) => {
  const out = applyJsonPatch(doc(), [
    { op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' },
    { op: 'move', from: '/metadata/labels', path: '/metadata/copiedLabels' },
  ]) as Record<string, Record<string, unknown>>;
  t.deepEqual((out.spec.containers as unknown[])[2], { name: 'a', image: 'one' });
  t.deepEqual(out.metadata.copiedLabels, { app: 'web' });
  t.false('labels' in out.metadata);
});

test('copy does not alias the source value', (t) => {
  const out = applyJsonPatch({ a: { x: 1 } }, [
    { op: 'copy', from: '/a', path: '/b' },
    { op: 'replace', path: '/b/x', value: 2 },
  ]);
  t.deepEqual(out, { a: { x: 1 }, b: { x: 2 } });
});

test('a passing test lets the patch through; the input is untouched', (t) => {
  const input = doc();
  const out = applyJsonPatch(input, [
    { op: 'test', path: '/spec/containers/1', value: { image: 'two', name: 'b' } },
    { op: 'replace', path: '/metadata/name', value: 'api' },
  ]) as ReturnType<typeof doc>;
  t.is(out.metadata.name, 'api');
  t.is(input.metadata.name, 'web');
});

test('a failed test is 422 Invalid with kube-apiserver\'s generic message', (t) => {
  const err = t.throws(() => applyJsonPatch(doc(), [{ op: 'test', path: '/metadata/name', value: 'other' }]), { instanceOf: PatchApplyError });
  t.is(err?.code, 422);
  t.is(err?.reason, 'Invalid');
  t.is(err?.message, 'the server rejected our request due to an error in our request');
  t.deepEqual(err?.toStatus(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'the server rejected our request due to an error in our request', reason: 'Invalid', code: 422, details: {},
  });
  t.regex(err?.why ?? '', /testing value \/metadata\/name failed/);
});

test('missing paths, bad indices and unknown ops are 422', (t) => {
  const failing = [
    [{ op: 'remove', path: '/metadata/labels/missing' }],
    [{ op: 'add', path: '/nope/deeper', value: 1 }],
    [{ op: 'replace', path: '/spec/containers/5/image', value: 'x' }],
    [{ op: 'add', path: '/spec/args/3', value: 'x' }],
    [{ op: 'move', from: '/missing', path: '/x' }],
    [{ op: 'copy', from: '/missing', path: '/x' }],
    [{ op: 'add', path: 'no-slash', value: 1 }],
    [{ op: 'add', value: 1 }],
    [{ op: 'frobnicate', path: '/metadata' }],
    [{ path: '/metadata' }],
  ];
  for (const ops of failing) {
    const err = t.throws(() => applyJsonPatch(doc(), ops), { instanceOf: StatusError }, JSON.stringify(ops));
    t.is(err?.code, 422, JSON.stringify(ops));
  }
});

test('Kubernetes leniencies: replace of a missing member adds it, negative indices count from the end', (t) => {
  const out = applyJsonPatch(doc(), [
    { op: 'replace', path: '/metadata/labels/new', value: 'v' },
    { op: 'remove', path: '/spec/args/-1' },
    { op: 'test', path: '/metadata/absent', value: null },
  ]) as ReturnType<typeof doc>;
  t.is((out.metadata.labels as Record<string, string>).new, 'v');
  t.deepEqual(out.spec.args, ['x']);
});

test('replacing the whole document', (t) => {
  t.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
  t.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: 3 }]), { instanceOf: PatchApplyError });
});

test('a body that is not a list of operations is 400 BadRequest', (t) => {
  const notArray = t.throws(() => applyJsonPatch(doc(), { op: 'add' }), { instanceOf: StatusError });
  t.is(notArray?.code, 400);
  t.is(notArray?.reason, 'BadRequest');
  t.is(notArray?.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const notObject = t.throws(() => applyJsonPatch(doc(), [1]), { instanceOf: StatusError });
  t.is(notObject?.code, 400);
  t.is(notObject?.message, 'json: cannot unmarshal number into Go value of type jsonpatch.Operation');
});

test('a null or empty patch changes nothing', (t) => {
  t.deepEqual(applyJsonPatch(doc(), null), doc());
  t.deepEqual(applyJsonPatch(doc(), []), doc());
});

test('too many operations is 413', (t) => {
  const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/metadata/name', value: 'web' }));
  const err = t.throws(() => applyJsonPatch(doc(), ops), { instanceOf: StatusError });
  t.is(err?.code, 413);
  t.is(err?.reason, 'RequestEntityTooLarge');
  t.is(err?.message, `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001`);
});
