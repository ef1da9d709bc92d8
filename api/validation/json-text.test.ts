import test from 'ava';
import { MAX_NESTING_DEPTH, scanJsonText, yamlNestingBound } from './json-text.js';

const nested = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

test('nesting up to the limit passes; one more is reported at the bracket that went over', (t) => {
  t.is(scanJsonText(nested(MAX_NESTING_DEPTH)).tooDeep, undefined);
  t.is(scanJsonText(nested(MAX_NESTING_DEPTH + 1)).tooDeep, '[');
  t.is(scanJsonText(`{"a":${nested(MAX_NESTING_DEPTH)}}`).tooDeep, '[');
});

test('brackets inside strings do not count', (t) => {
  t.is(scanJsonText(JSON.stringify({ a: '['.repeat(MAX_NESTING_DEPTH + 5) })).tooDeep, undefined);
});

test('duplicate keys are reported by path, in objects and lists alike', (t) => {
  const text = '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"c"},{"name":"d","image":"x","image":"y"}]},"spec":{}}';
  t.deepEqual(scanJsonText(text).duplicateFields, ['metadata.name', 'spec.containers[1].image', 'spec']);
});

test('keys are compared decoded, and values equal to keys are not keys', (t) => {
  t.deepEqual(scanJsonText('{"a":"a","\\u0061":1}').duplicateFields, ['a']);
  t.deepEqual(scanJsonText('{"a":["a","a"],"b":{"a":1}}').duplicateFields, []);
});

test('YAML nesting is bounded by flow brackets, indentation and compact list entries', (t) => {
  t.is(yamlNestingBound('a:\n  b:\n    c: 1\n', 100), 4);
  t.is(yamlNestingBound(`x: ${nested(50, '{', '}')}\n`, 100), 50);
  t.is(yamlNestingBound(`${'- '.repeat(30)}x\n`, 100), 60);
  t.is(yamlNestingBound(`x: "${'['.repeat(200)}" # ${'{'.repeat(200)}\n`, 100), 0);
  t.true(yamlNestingBound(nested(500, '[', ']'), 100) > 100);
});
