import test from 'ava';
import { matchTopologySelectorTerms, NodeSelector } from './node-selector.js';

const node = { 'topology.kubernetes.io/zone': 'us-east-1a', disk: 'ssd', gen: '5' };
const expr = (key: string, operator: string, values?: unknown) => ({ key, operator, ...(values === undefined ? {} : { values }) });
const selector = (...terms: unknown[]) => NodeSelector.parse({ nodeSelectorTerms: terms });

test('terms are ORed, the expressions of a term ANDed, with every NodeSelectorOperator', (t) => {
  const cases: Array<[unknown, boolean]> = [
    [expr('disk', 'In', ['ssd', 'nvme']), true],
    [expr('disk', 'In', ['hdd']), false],
    [expr('disk', 'NotIn', ['hdd']), true],
    [expr('missing', 'NotIn', ['x']), true],
    [expr('disk', 'Exists'), true],
    [expr('missing', 'DoesNotExist'), true],
    [expr('gen', 'Gt', ['4']), true],
    [expr('gen', 'Lt', ['5']), false],
    [expr('disk', 'Gt', ['1']), false],
    [expr('missing', 'Lt', ['9']), false],
  ];
  for (const [e, want] of cases) t.is(selector({ matchExpressions: [e] }).matches(node), want, JSON.stringify(e));
  t.false(selector({ matchExpressions: [expr('disk', 'In', ['ssd']), expr('gen', 'Gt', ['9'])] }).matches(node));
  t.true(selector({ matchExpressions: [expr('gen', 'Gt', ['9'])] }, { matchExpressions: [expr('disk', 'Exists')] }).matches(node));
});

test('an empty term, or one that does not parse, selects no node; the others still count', (t) => {
  t.false(selector({}).matches(node));
  t.false(selector().matches(node));
  t.false(NodeSelector.parse(undefined).matches(node));
  const invalid = [
    expr('disk', 'In', []), expr('disk', 'Exists', ['ssd']), expr('gen', 'Gt', ['4', '6']), expr('gen', 'Gt', ['four']),
    expr('gen', 'Gt', ['9223372036854775808']), expr('disk', 'Equals', ['ssd']), expr('-bad', 'Exists'), expr('disk', 'In', ['not valid']),
    expr('disk', 'constructor', ['ssd']),
  ];
  for (const e of invalid) {
    t.false(selector({ matchExpressions: [e] }).matches(node), JSON.stringify(e));
    t.true(selector({ matchExpressions: [e] }, { matchExpressions: [expr('disk', 'Exists')] }).matches(node), JSON.stringify(e));
  }
});

test('matchFields select by metadata.name alone, In or NotIn one name', (t) => {
  const named = (operator: string, values: string[], key = 'metadata.name') => selector({ matchFields: [{ key, operator, values }] });
  t.true(named('In', ['node-1']).matches(node, 'node-1'));
  t.false(named('In', ['node-1']).matches(node, 'node-2'));
  t.true(named('NotIn', ['node-1']).matches(node, 'node-2'));
  t.false(named('In', ['node-1', 'node-2']).matches(node, 'node-1'), 'one value only');
  t.false(named('Exists', []).matches(node, 'node-1'));
  t.false(named('In', ['node-1'], 'metadata.uid').matches(node, 'node-1'));
  t.false(named('In', ['node-1']).matches(node), 'a volume\'s affinity is matched on labels, the name read as ""');
  t.true(selector({ matchExpressions: [expr('disk', 'In', ['ssd'])], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }).matches(node, 'node-1'));
});

test('a single term, as a preferred scheduling term\'s preference', (t) => {
  t.true(NodeSelector.parseTerm({ matchExpressions: [expr('disk', 'In', ['ssd'])] }).matches(node));
  t.false(NodeSelector.parseTerm({}).matches(node));
  t.false(NodeSelector.parseTerm(undefined).matches(node));
});

test('topology selector terms: none admit every node; each expression is an In over its values', (t) => {
  const zone = (...values: string[]) => ({ key: 'topology.kubernetes.io/zone', values });
  t.true(matchTopologySelectorTerms(undefined, node));
  t.true(matchTopologySelectorTerms([], node));
  t.true(matchTopologySelectorTerms([{ matchLabelExpressions: [zone('us-east-1a', 'us-east-1b')] }], node));
  t.false(matchTopologySelectorTerms([{ matchLabelExpressions: [zone('us-east-1b')] }], node));
  t.false(matchTopologySelectorTerms([{ matchLabelExpressions: [zone('us-east-1a'), { key: 'disk', values: ['hdd'] }] }], node));
  t.true(matchTopologySelectorTerms([{ matchLabelExpressions: [zone('us-east-1b')] }, { matchLabelExpressions: [{ key: 'disk', values: ['ssd'] }] }], node));
  t.false(matchTopologySelectorTerms([{}], node), 'an empty term admits none');
  t.false(matchTopologySelectorTerms([{ matchLabelExpressions: [zone()] }], node), 'no values do not parse');
  t.false(matchTopologySelectorTerms([{ matchLabelExpressions: [zone('us-east-1a')] }], {}));
});
