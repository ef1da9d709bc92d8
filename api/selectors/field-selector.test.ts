import test from 'ava';
import { StatusError } from '../status.js';
import { FieldSelector, escapeFieldValue, parseFieldSelector, requireSupportedFields } from './field-selector.js';

const pod: Record<string, string> = { 'metadata.name': 'web-1', 'metadata.namespace': 'default', 'status.phase': 'Running', 'spec.nodeName': 'a,b=c\\d' };
const get = (name: string) => pod[name];

test('=, == and != terms joined by commas', (t) => {
  const cases: Array<[string, boolean]> = [
    ['metadata.name=web-1', true],
    ['metadata.name==web-1', true],
    ['metadata.name!=web-1', false],
    ['status.phase!=Pending,metadata.namespace=default', true],
    ['status.phase=Running,metadata.namespace=kube-system', false],
    ['spec.unset=', true],
    ['spec.unset!=', false],
    ['', true],
    [',,', true],
  ];
  for (const [text, expected] of cases) t.is(parseFieldSelector(text).matches(get), expected, text);
});

test('backslash escapes for comma, equals and backslash', (t) => {
  const s = parseFieldSelector('spec.nodeName=a\\,b\\=c\\\\d');
  t.deepEqual(s.requirements, [{ field: 'spec.nodeName', operator: '=', value: 'a,b=c\\d' }]);
  t.true(s.matches(get));
  t.is(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  t.is(s.toString(), 'spec.nodeName=a\\,b\\=c\\\\d');
});

test('terms are sorted like Kubernetes sorts them', (t) => {
  const s = parseFieldSelector('status.phase=Running,metadata.name!=x');
  t.deepEqual(s.fields(), ['metadata.name', 'status.phase']);
  t.is(s.toString(), 'metadata.name!=x,status.phase=Running');
  t.is(s.requiresExactMatch('status.phase'), 'Running');
  t.is(s.requiresExactMatch('metadata.name'), undefined);
});

test('malformed selectors are 400 BadRequest in kube-apiserver\'s words', (t) => {
  const cases: Array<[string, string]> = [
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseFieldSelector(text), { instanceOf: StatusError }, text);
    t.is(err?.code, 400, text);
    t.is(err?.reason, 'BadRequest', text);
    t.is(err?.message, message, text);
  }
});

test('requireSupportedFields names the first unsupported field', (t) => {
  const supported = new Set(['metadata.name', 'metadata.namespace']);
  t.notThrows(() => requireSupportedFields(parseFieldSelector('metadata.name=a,metadata.namespace=b'), supported));
  const err = t.throws(() => requireSupportedFields(parseFieldSelector('spec.foo=1,metadata.name=a,spec.bar=2'), supported), { instanceOf: StatusError });
  t.is(err?.code, 400);
  t.is(err?.reason, 'BadRequest');
  t.is(err?.message, 'field label not supported: spec.bar');
  t.throws(() => requireSupportedFields(parseFieldSelector('x=1'), ['y']), { message: 'field label not supported: x' });
});

test('the empty selector', (t) => {
  t.true(FieldSelector.everything().empty());
  t.true(parseFieldSelector('').matches(() => undefined));
});
