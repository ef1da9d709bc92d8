import test from 'ava';
import { formatRecord, parseRecord, splitRecords, tail } from './cri-log.js';

const log = [
  '2026-12-07T10:00:00.000000001Z stdout F first',
  '2026-12-07T10:00:01.5Z stderr P par',
  '2026-12-07T10:00:01.6Z stderr F tial',
  '2026-12-07T10:00:02Z stdout F ',
  '2026-12-07T10:00:03Z stdout F last',
  '2026-12-07T10:00:04Z stdout F unfinis',
].join('\n');

test('records are parsed, partial ones joined into their line, an unterminated record kept for later', (t) => {
  const { records, rest } = splitRecords(log);
  t.is(rest, '2026-12-07T10:00:04Z stdout F unfinis');
  t.is(records.length, 5);
  t.like(records[1], { stream: 'stderr', partial: true, content: 'par' });
  let continuation = false;
  const text = records.map((r) => {
    const out = formatRecord(r, continuation, { timestamps: false });
    continuation = r.partial;
    return out;
  }).join('');
  t.is(text, 'first\npartial\n\nlast\n');
  t.is(parseRecord('garbage'), undefined);
  t.is(parseRecord('2026-12-07T10:00:00Z stdin F x'), undefined);
});

test('a timestamp prefixes each line once, and the tail counts lines, not records', (t) => {
  const { records } = splitRecords(log);
  t.is(formatRecord(records[0], false, { timestamps: true }), '2026-12-07T10:00:00.000000001Z first\n');
  t.is(formatRecord(records[2], true, { timestamps: true }), 'tial\n');
  t.deepEqual(tail(records, 3).map((r) => r.content), ['par', 'tial', '', 'last']);
  t.deepEqual(tail(records, 0), []);
  t.is(tail(records, 10).length, 5);
});
