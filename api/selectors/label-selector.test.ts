import test from 'ava';
import { StatusError } from '../status.js';
import {
  LabelSelector, labelSelectorFromObject, parseLabelSelector, requirementsMatch, selectorFromSet, tryLabelSelectorFromObject, tryRequirement,
} from './label-selector.js';

const labels = { app: 'web', tier: 'front', version: '3' };

test('equality, inequality, existence and set requirements', (t) => {
  const cases: Array<[string, boolean]> = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app in (api, web)', true],
    ['app in (api)', false],
    ['app notin (api)', true],
    ['missing notin (api)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['version>2', true],
    ['version<3', false],
    ['app>2', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['  app = web ,  tier  in(front) , !missing ', true],
    ['', true],
  ];
  for (const [text, expected] of cases) {
    t.is(parseLabelSelector(text).matches(labels), expected, text);
  }
});

test('in/notin accept keywords as values and empty members', (t) => {
  const s = parseLabelSelector('x in (in,,notin)');
  t.deepEqual(s.requirements, [{ key: 'x', operator: 'in', values: ['', 'in', 'notin'] }]);
  t.true(s.matches({ x: '' }));
  t.deepEqual(parseLabelSelector('x in ()').requirements[0].values, ['']);
  t.deepEqual(parseLabelSelector('x=').requirements[0].values, ['']);
  t.deepEqual(parseLabelSelector('example.com/role in (a,)').requirements[0], { key: 'example.com/role', operator: 'in', values: ['', 'a'] });
});

test('requirements are sorted by key and printed canonically', (t) => {
  const s = parseLabelSelector('z notin (b,a),!y,x,w==1,v!=2,u in (c),t>4');
  t.is(s.toString(), 't>4,u in (c),v!=2,w==1,x,!y,z notin (a,b)');
  t.is(s.requiresExactMatch('w'), '1');
  t.is(s.requiresExactMatch('u'), 'c');
  t.is(s.requiresExactMatch('v'), undefined);
});

test('syntax errors are 400 BadRequest in kube-apiserver\'s words', (t) => {
  const cases: Array<[string, string]> = [
    ['app in web', "unable to parse requirement: found 'web' expected: '('"],
    ['app,', "found '', expected: identifier after ','"],
    ['app=web tier', "found 'tier', expected: ',' or 'end of string'"],
    [',app', "found ',', expected: !, identifier, or 'end of string'"],
    ['app in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['app in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['app (x)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['app=(x)', "unable to parse requirement: found '(', expected: identifier"],
    ['version>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['app in (z,-bad)', 'unable to parse requirement: values[0][app]: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseLabelSelector(text), { instanceOf: StatusError }, text);
    t.is(err?.code, 400, text);
    t.is(err?.reason, 'BadRequest', text);
    t.is(err?.message, message, text);
  }
});

test('keys and values are validated like Kubernetes label keys and values', (t) => {
  const key = t.throws(() => parseLabelSelector('-bad=x'), { instanceOf: StatusError });
  t.regex(key?.message ?? '', /^unable to parse requirement: <nil>: Invalid value: "-bad": name part must consist of alphanumeric characters/);
  const value = t.throws(() => parseLabelSelector('app=-bad'), { instanceOf: StatusError });
  t.regex(value?.message ?? '', /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-bad": a valid label must be an empty string/);
  const long = t.throws(() => parseLabelSelector(`app=${'a'.repeat(64)}`), { instanceOf: StatusError });
  t.regex(long?.message ?? '', /must be no more than 63 characters$/);
});

test('metav1.LabelSelector objects', (t) => {
  t.false(labelSelectorFromObject(undefined).matches(labels), 'a missing selector selects nothing');
  t.true(labelSelectorFromObject(null).matchesNothing());
  t.true(labelSelectorFromObject({}).matches(labels), 'an empty selector selects everything');
  t.true(labelSelectorFromObject({}).empty());
  const s = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'version', operator: 'Exists' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
    ],
  });
  t.true(s.matches(labels));
  t.false(s.matches({ ...labels, canary: 'yes' }));
  t.is(s.toString(), 'app=web,!canary,tier in (edge,front),version,zone notin (b)');
});

test('invalid metav1.LabelSelector objects are 400', (t) => {
  const op = t.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }), { instanceOf: StatusError });
  t.is(op?.message, '"Equals" is not a valid label selector operator');
  const inherited = t.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'constructor' }] }), { instanceOf: StatusError });
  t.is(inherited?.message, '"constructor" is not a valid label selector operator');
  const empty = t.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), { instanceOf: StatusError });
  t.is(empty?.message, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  const exists = t.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), { instanceOf: StatusError });
  t.is(exists?.message, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist');
  const twoErrors = t.throws(() => labelSelectorFromObject({ matchLabels: { '-a': '-b' } }), { instanceOf: StatusError });
  t.regex(twoErrors?.message ?? '', /^\[key: Invalid value: "-a": .*, values\[0\]\[-a\]: Invalid value: "-b": .*\]$/);
});

test('selectorFromSet and the everything/nothing selectors', (t) => {
  t.true(selectorFromSet({ app: 'web' }).matches(labels));
  t.false(selectorFromSet({ app: 'api' }).matches(labels));
  t.true(selectorFromSet(undefined).empty());
  t.true(LabelSelector.everything().matches(undefined));
  t.false(LabelSelector.nothing().matches(labels));
});

test('tryLabelSelectorFromObject: what does not parse is undefined, not an error', (t) => {
  t.true(tryLabelSelectorFromObject({ matchLabels: { app: 'web' } })!.matches(labels));
  t.true(tryLabelSelectorFromObject(undefined)!.matchesNothing());
  t.is(tryLabelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }), undefined);
  t.is(tryLabelSelectorFromObject({ matchExpressions: [null as never] }), undefined);
});

test('tryRequirement validates as labels.NewRequirement does, and keeps values sorted and unique', (t) => {
  t.deepEqual(tryRequirement('tier', 'in', ['front', 'edge', 'front']), { key: 'tier', operator: 'in', values: ['edge', 'front'] });
  t.is(tryRequirement('tier', 'in', []), undefined);
  t.is(tryRequirement('tier', 'exists', ['x']), undefined);
  t.is(tryRequirement('version', 'gt', ['x']), undefined);
  t.is(tryRequirement('-bad', 'exists', []), undefined);
  t.is(tryRequirement('tier', 'in', ['-bad']), undefined);
  const rs = [tryRequirement('tier', 'in', ['front'])!, tryRequirement('version', 'lt', ['4'])!];
  t.true(requirementsMatch(rs, labels));
  t.false(requirementsMatch(rs, { ...labels, version: '4' }));
  t.true(requirementsMatch([], undefined));
});
