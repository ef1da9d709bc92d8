import test from 'ava';
import { StatusError } from '../status.js';
import { applyMergePatch, deepEqual, mergePatchValue } from './json-merge-patch.js';

// RFC 7386 appendix A, as (target, patch, result).
const rfcCases: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

for (const [i, [target, patch, result]] of rfcCases.entries()) {
  test(`RFC 7386 example ${i + 1}`, (t) => {
    t.deepEqual(mergePatchValue(target, patch), result);
  });
}

test('applyMergePatch merges labels and removes one with null', (t) => {
  const pod = { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'a', image: 'x' }] } };
  const out = applyMergePatch(pod, { metadata: { labels: { tier: null, team: 'blue' } }, spec: { containers: [{ name: 'a', image: 'y' }] } });
  t.deepEqual(out, { metadata: { name: 'web', labels: { app: 'web', team: 'blue' } }, spec: { containers: [{ name: 'a', image: 'y' }] } });
});

test('applyMergePatch neither mutates nor aliases its inputs', (t) => {
  const target = { a: { b: 1 }, keep: { deep: [1] } };
  const patch = { a: { c: { d: 2 } } };
  const out = applyMergePatch(target, patch);
  t.deepEqual(target, { a: { b: 1 }, keep: { deep: [1] } });
  t.not(out.keep, target.keep);
  t.not((out.a as Record<string, unknown>).c, patch.a.c);
});

test('nulls inside objects nested in arrays are dropped, like kube-apiserver', (t) => {
  t.deepEqual(applyMergePatch({}, { list: [{ a: 1, b: null }, null] }), { list: [{ a: 1 }, null] });
});

test('a patch that is not an object is a 400', (t) => {
  for (const patch of [null, 'x', 3, ['a']]) {
    const err = t.throws(() => applyMergePatch({ a: 1 }, patch), { instanceOf: StatusError });
    t.is(err?.code, 400);
    t.is(err?.reason, 'BadRequest');
    t.is(err?.message, 'Invalid JSON Patch');
  }
});

test('a "__proto__" member is stored as data', (t) => {
  const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}'));
  t.true(Object.prototype.hasOwnProperty.call(out, '__proto__'));
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(Object.getPrototypeOf(out), Object.prototype);
});

test('deepEqual compares JSON structurally', (t) => {
  t.true(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] }));
  t.false(deepEqual({ a: 1 }, { a: 1, b: 2 }));
  t.false(deepEqual([1], { 0: 1 }));
});
