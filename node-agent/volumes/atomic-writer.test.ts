import test from 'ava';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, type Payload } from './atomic-writer.js';

const files = (entries: Record<string, [string, number]>): Payload =>
  new Map(Object.entries(entries).map(([path, [text, mode]]) => [path, { data: Buffer.from(text), mode }]));

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-atomic-'));
});
test.afterEach.always(() => rmSync(dir, { recursive: true, force: true }));

test.serial('files go into a timestamped folder behind the ..data link; each visible name links through ..data', (t) => {
  t.true(new AtomicWriter().write(dir, files({ 'a.conf': ['one', 0o644], 'nested/b': ['two', 0o600] })));
  t.regex(readlinkSync(join(dir, '..data')), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+$/);
  t.is(readlinkSync(join(dir, 'a.conf')), '..data/a.conf');
  t.is(readlinkSync(join(dir, 'nested')), '..data/nested', 'only the first element of a path is a link');
  t.is(readFileSync(join(dir, 'nested', 'b'), 'utf8'), 'two');
  t.is(statSync(join(dir, 'nested', 'b')).mode & 0o777, 0o600);
  t.is(statSync(join(dir, 'a.conf')).mode & 0o777, 0o644);
});

test.serial('an equal payload writes nothing; a changed one swaps ..data, drops names no longer there and removes the old version', (t) => {
  const w = new AtomicWriter();
  w.write(dir, files({ a: ['1', 0o644], b: ['2', 0o644] }));
  const first = readlinkSync(join(dir, '..data'));
  t.false(w.write(dir, files({ a: ['1', 0o644], b: ['2', 0o644] })));
  t.false(new AtomicWriter().write(dir, files({ a: ['1', 0o644], b: ['2', 0o644] })), 'a new writer (an agent restart) compares with the folder');
  t.true(new AtomicWriter().write(dir, files({ a: ['1', 0o600], b: ['2', 0o644] })), 'a mode is part of the content');
  t.true(w.write(dir, files({ a: ['changed', 0o644] })));
  const last = readlinkSync(join(dir, '..data'));
  t.not(last, first);
  t.is(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
  t.false(existsSync(join(dir, 'b')));
  t.throws(() => lstatSync(join(dir, 'b')), undefined, 'no dangling link either');
  t.deepEqual(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data'), [last], 'only the current version is kept');
});

test.serial('paths leading out of the volume or onto the writer\'s own names are refused', (t) => {
  const w = new AtomicWriter();
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..data', '']) {
    t.throws(() => w.write(dir, files({ [bad]: ['x', 0o644] })), { message: /^invalid path/ }, bad);
  }
  t.deepEqual(readdirSync(dir), [], 'nothing written');
});
