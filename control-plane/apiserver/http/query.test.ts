import test from 'ava';
import { queryBool, queryInt64 } from './query.js';

const q = (s: string) => new URLSearchParams(s);

test('booleans: only 0 and false (any case) are false; absent is undefined; anything else is true', (t) => {
  t.is(queryBool(q(''), 'watch'), undefined);
  for (const v of ['0', 'false', 'False', 'FALSE']) t.false(queryBool(q(`watch=${v}`), 'watch'), v);
  for (const v of ['1', 'true', 'True', 'yes', '']) t.true(queryBool(q(`watch=${v}`), 'watch'), v);
});

test('int64: decimal within range, empty is 0, anything else is strconv\'s error', (t) => {
  t.is(queryInt64(q('g=30'), 'g'), 30);
  t.is(queryInt64(q('g=-1'), 'g'), -1);
  t.is(queryInt64(q('g='), 'g'), 0);
  t.is(queryInt64(q(''), 'g'), undefined);
  t.throws(() => queryInt64(q('g=1e3'), 'g'), { message: 'strconv.ParseInt: parsing "1e3": invalid syntax' });
  t.throws(() => queryInt64(q('g=9223372036854775808'), 'g'), { message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range' });
});
