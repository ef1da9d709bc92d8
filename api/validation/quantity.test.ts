import test from 'ava';
import {
  addQuantities, canonicalizeResourceList, canonicalQuantity, compareQuantities, parseQuantity, quantityMilliValue, quantityValue, roundUpQuantity, formatQuantity,
} from './quantity.js';

const q = (s: string | number) => {
  const parsed = parseQuantity(s);
  if (!parsed) throw new Error(`not a quantity: ${s}`);
  return parsed;
};

test('canonical form keeps the notation and picks the largest whole suffix', (t) => {
  const cases: Array<[string | number, string]> = [
    ['100m', '100m'], ['1000m', '1'], ['1500m', '1500m'], ['0.5', '500m'], ['2000', '2k'], ['1.5', '1500m'],
    ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['0.5Gi', '512Mi'], ['512', '512'], ['100Ki', '100Ki'],
    ['1e3', '1e3'], ['12e2', '1200'], ['1E', '1E'], ['0', '0'], ['-5m', '-5m'], [2, '2'], [0.25, '250m'],
    ['1.5Ki', '1536'], ['100Mi', '100Mi'], ['128974848', '128974848'], ['129e6', '129e6'], ['129M', '129M'],
    ['123Mi', '123Mi'], ['0.1Ki', '102400m'],
  ];
  for (const [input, want] of cases) t.is(canonicalQuantity(input), want, `canonical(${input})`);
});

test('malformed quantities do not parse', (t) => {
  for (const bad of ['', 'abc', '1x', '1K', '1.2.3', '1e', 'Gi', '--1', '1 Gi', '1Gib']) t.is(parseQuantity(bad), undefined, bad);
});

test('comparison and addition are exact across notations', (t) => {
  t.is(compareQuantities(q('1Gi'), q('1073741824')), 0);
  t.is(compareQuantities(q('500m'), q('0.5')), 0);
  t.is(compareQuantities(q('1'), q('999m')), 1);
  t.is(compareQuantities(q('1Mi'), q('1M')), 1);
  t.is(formatQuantity(addQuantities(q('250m'), q('1'))), '1250m');
  t.is(compareQuantities(q('10Gi'), q('10G')), 1);
  t.is(compareQuantities(q('-1'), q('1m')), -1);
});

test('Value and MilliValue round up, as kube\'s do; what is missing or not a quantity is zero', (t) => {
  t.is(quantityMilliValue('100m'), 100);
  t.is(quantityMilliValue('1.5'), 1500);
  t.is(quantityMilliValue('0.0001'), 1);
  t.is(quantityValue('128Mi'), 134217728);
  t.is(quantityValue('1G'), 1e9);
  t.is(quantityValue('500m'), 1);
  t.is(quantityValue('-1500m'), -1);
  t.is(quantityValue('2e3'), 2000);
  t.is(quantityValue(58), 58);
  t.is(quantityValue(q('10Gi')), 10 * 1024 ** 3);
  t.is(quantityMilliValue(addQuantities(q('250m'), q('1'))), 1250);
  t.is(quantityValue('nonsense'), 0);
  t.is(quantityValue(undefined), 0);
  t.is(quantityMilliValue(`${'1'.repeat(70)}n`), 1.1111111111111112e+63, 'text too long to memoize');
});

test('precision below nano rounds up, and resource lists round up to milli', (t) => {
  t.is(canonicalQuantity('1.0000000001'), '1000000001n');
  t.is(formatQuantity(roundUpQuantity(q('100u'), -3)), '1m');
  const list: Record<string, unknown> = { cpu: '0.0001', memory: 1073741824, bad: 'nope' };
  canonicalizeResourceList(list);
  t.deepEqual(list, { cpu: '1m', memory: '1073741824', bad: 'nope' });
  const binary: Record<string, unknown> = { memory: '1048576Ki' };
  canonicalizeResourceList(binary);
  t.deepEqual(binary, { memory: '1Gi' });
});
