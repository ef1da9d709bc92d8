import test from 'ava';
import type { KObject } from '../kind.js';
import { validateAffinity, validateNodeSelector } from './affinity.js';
import type { Cause } from './field-errors.js';
import { labels, labelValue, qualifiedName } from './names.js';
import { validatePodSpec } from './pod-spec.js';

const messages = (causes: Cause[]) => causes.map((c) => c.message);
const affinity = (a: KObject) => messages(validateAffinity(a, 'spec.affinity'));

const NODE = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED_NODE = 'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution';
const POD = 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const ANTI = 'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED_ANTI = 'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution';

const KEY_SYNTAX = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_SYNTAX = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const requiredNode = (...matchExpressions: KObject[]) =>
  ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } });
const podTerm = (term: KObject) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } });
const app = { matchLabels: { app: 'web' } };
const container = { name: 'a', image: 'a', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' };

test('no affinity, or empty rules, is valid', (t) => {
  t.deepEqual(affinity({}), []);
  t.deepEqual(validateAffinity(undefined, 'spec.affinity'), []);
  t.deepEqual(affinity({ nodeAffinity: {}, podAffinity: {}, podAntiAffinity: {} }), []);
});

test('a required node selector needs at least one term; an empty term is valid', (t) => {
  const none = `${NODE}.nodeSelectorTerms: Required value: must have at least one node selector term`;
  t.deepEqual(affinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } }), [none]);
  t.deepEqual(affinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }), [none]);
  t.deepEqual(affinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } }), []);
  t.deepEqual(messages(validateNodeSelector({}, 'spec.nodeAffinity.required')), ['spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term']);
});

test('node selector operators: In, NotIn, Exists, DoesNotExist, Gt and Lt and nothing else', (t) => {
  const e = `${NODE}.nodeSelectorTerms[0].matchExpressions`;
  t.deepEqual(affinity(requiredNode(
    { key: 'zone', operator: 'In', values: ['a', 'b'] },
    { key: 'zone', operator: 'NotIn', values: ['c'] },
    { key: 'ssd', operator: 'Exists' },
    { key: 'gpu', operator: 'DoesNotExist', values: [] },
    { key: 'cores', operator: 'Gt', values: ['4'] },
    { key: 'cores', operator: 'Lt', values: ['64'] },
  )), []);
  t.deepEqual(affinity(requiredNode({ key: 'zone', operator: 'Foo', values: ['a'] })), [`${e}[0].operator: Invalid value: "Foo": not a valid selector operator`]);
  t.deepEqual(affinity(requiredNode({ key: 'zone', values: ['a'] })), [`${e}[0].operator: Invalid value: "": not a valid selector operator`]);
  // Operators are case-sensitive, as Go's switch on the string is.
  t.deepEqual(affinity(requiredNode({ key: 'zone', operator: 'in', values: ['a'] })), [`${e}[0].operator: Invalid value: "in": not a valid selector operator`]);
});

test('node selector values: at least one for In and NotIn, none for Exists and DoesNotExist, one for Gt and Lt', (t) => {
  const e = `${NODE}.nodeSelectorTerms[0].matchExpressions`;
  t.deepEqual(affinity(requiredNode({ key: 'zone', operator: 'In' }, { key: 'zone', operator: 'NotIn', values: [] })), [
    `${e}[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${e}[1].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
  ]);
  t.deepEqual(affinity(requiredNode({ key: 'ssd', operator: 'Exists', values: ['yes'] }, { key: 'gpu', operator: 'DoesNotExist', values: ['x'] })), [
    `${e}[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    `${e}[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
  ]);
  t.deepEqual(affinity(requiredNode({ key: 'cores', operator: 'Gt', values: ['1', '2'] }, { key: 'cores', operator: 'Lt' })), [
    `${e}[0].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
    `${e}[1].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
  ]);
});

test('v1.32 checks neither node selector values as labels nor Gt and Lt values as integers', (t) => {
  t.deepEqual(affinity(requiredNode({ key: 'zone', operator: 'In', values: ['not a label value!'] })), []);
  t.deepEqual(affinity(requiredNode({ key: 'cores', operator: 'Gt', values: ['four'] })), []);
});

test('node selector keys are label keys', (t) => {
  const key = `${NODE}.nodeSelectorTerms[0].matchExpressions[0].key`;
  t.deepEqual(affinity(requiredNode({ key: 'bad key!', operator: 'Exists' })), [`${key}: Invalid value: "bad key!": name part ${KEY_SYNTAX}`]);
  t.deepEqual(affinity(requiredNode({ key: '', operator: 'Exists' })), [
    `${key}: Invalid value: "": name part must be non-empty`,
    `${key}: Invalid value: "": name part ${KEY_SYNTAX}`,
  ]);
  // Every problem of a requirement is reported: the operator's and the key's.
  t.deepEqual(affinity(requiredNode({ key: 'a/b/c', operator: 'In' })), [
    `${NODE}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${key}: Invalid value: "a/b/c": a qualified name ${KEY_SYNTAX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

test('matchFields: metadata.name only, In or NotIn, exactly one node name', (t) => {
  const fields = (...matchFields: KObject[]) => affinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields }] } } });
  const f = `${NODE}.nodeSelectorTerms[0].matchFields`;
  t.deepEqual(fields({ key: 'metadata.name', operator: 'In', values: ['node-1'] }, { key: 'metadata.name', operator: 'NotIn', values: ['node-2'] }), []);
  t.deepEqual(fields({ key: 'metadata.labels', operator: 'In', values: ['x'] }), [`${f}[0].key: Invalid value: "metadata.labels": not a valid field selector key`]);
  t.deepEqual(fields({ key: 'metadata.name', operator: 'Exists' }), [`${f}[0].operator: Invalid value: "Exists": not a valid selector operator`]);
  t.deepEqual(fields({ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }, { key: 'metadata.name', operator: 'NotIn' }), [
    `${f}[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
    `${f}[1].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
  ]);
  t.deepEqual(fields({ key: 'metadata.name', operator: 'In', values: ['Node_1'] }), [
    `${f}[0].values[0]: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('preferred node terms: weight 1-100 and a valid preference', (t) => {
  const preferred = (...terms: KObject[]) => affinity({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } });
  const ssd = { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] };
  t.deepEqual(preferred({ weight: 1, preference: ssd }, { weight: 100, preference: ssd }, { weight: 5, preference: {} }), []);
  t.deepEqual(preferred({ weight: 500, preference: ssd }, { weight: 0, preference: ssd }, { preference: ssd }, { weight: -3, preference: ssd }), [
    `${PREFERRED_NODE}[0].weight: Invalid value: 500: must be in the range 1-100`,
    `${PREFERRED_NODE}[1].weight: Invalid value: 0: must be in the range 1-100`,
    `${PREFERRED_NODE}[2].weight: Invalid value: 0: must be in the range 1-100`,
    `${PREFERRED_NODE}[3].weight: Invalid value: -3: must be in the range 1-100`,
  ]);
  t.deepEqual(preferred({ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists', values: ['y'] }], matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['x'] }] } }), [
    `${PREFERRED_NODE}[0].preference.matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    `${PREFERRED_NODE}[0].preference.matchFields[0].key: Invalid value: "spec.unschedulable": not a valid field selector key`,
  ]);
});

test('pod affinity terms: topologyKey is required and a label key', (t) => {
  t.deepEqual(affinity(podTerm({ labelSelector: app, topologyKey: 'topology.kubernetes.io/zone' })), []);
  t.deepEqual(affinity(podTerm({ labelSelector: app, topologyKey: '' })), [
    `${POD}[0].topologyKey: Required value: can not be empty`,
    `${POD}[0].topologyKey: Invalid value: "": name part must be non-empty`,
    `${POD}[0].topologyKey: Invalid value: "": name part ${KEY_SYNTAX}`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: app })), messages(validateAffinity(podTerm({ labelSelector: app, topologyKey: '' }), 'spec.affinity')));
  t.deepEqual(affinity(podTerm({ labelSelector: app, topologyKey: '/zone' })), [`${POD}[0].topologyKey: Invalid value: "/zone": prefix part must be non-empty`]);
  t.deepEqual(affinity(podTerm({ labelSelector: app, topologyKey: 'Example.com/zone' })), [
    `${POD}[0].topologyKey: Invalid value: "Example.com/zone": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('pod affinity terms: labelSelector and namespaceSelector are label selectors, label values included', (t) => {
  t.deepEqual(affinity(podTerm({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Foo', values: ['a'] }] }, topologyKey: 'zone' })), [
    `${POD}[0].labelSelector.matchExpressions[0].operator: Invalid value: "Foo": not a valid selector operator`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }, { key: 'app', operator: 'Exists', values: ['a'] }] }, topologyKey: 'zone' })), [
    `${POD}[0].labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${POD}[0].labelSelector.matchExpressions[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
  ]);
  // Node selectors' Gt and Lt are not label selector operators.
  t.deepEqual(affinity(podTerm({ labelSelector: { matchExpressions: [{ key: 'rev', operator: 'Gt', values: ['1'] }] }, topologyKey: 'zone' })), [
    `${POD}[0].labelSelector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', 'not ok'] }] }, topologyKey: 'zone' })), [
    `${POD}[0].labelSelector.matchExpressions[0].values[1]: Invalid value: "not ok": ${LABEL_VALUE_SYNTAX}`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: { matchLabels: { 'bad key!': 'not ok' } }, topologyKey: 'zone' })), [
    `${POD}[0].labelSelector.matchLabels: Invalid value: "bad key!": name part ${KEY_SYNTAX}`,
    `${POD}[0].labelSelector.matchLabels: Invalid value: "not ok": ${LABEL_VALUE_SYNTAX}`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: app, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn' }] }, topologyKey: 'zone' })), [
    `${POD}[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
  ]);
  // An empty selector is valid (it selects every pod, or every namespace); a missing one selects none.
  t.deepEqual(affinity(podTerm({ labelSelector: {}, namespaceSelector: {}, topologyKey: 'zone' })), []);
  t.deepEqual(affinity(podTerm({ topologyKey: 'zone' })), []);
});

test('pod affinity terms: namespaces are DNS labels, reported at `namespace` as kube does', (t) => {
  t.deepEqual(affinity(podTerm({ labelSelector: app, namespaces: ['default', 'kube-system'], topologyKey: 'zone' })), []);
  t.deepEqual(affinity(podTerm({ labelSelector: app, namespaces: ['ok', 'Not_OK'], topologyKey: 'zone' })), [
    `${POD}[0].namespace: Invalid value: "Not_OK": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('matchLabelKeys and mismatchLabelKeys: label keys, only with a labelSelector, never the same key in both', (t) => {
  t.deepEqual(affinity(podTerm({ labelSelector: app, matchLabelKeys: ['pod-template-hash'], mismatchLabelKeys: ['tenant'], topologyKey: 'zone' })), []);
  t.deepEqual(affinity(podTerm({ matchLabelKeys: ['pod-template-hash'], mismatchLabelKeys: ['tenant'], topologyKey: 'zone' })), [
    `${POD}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
    `${POD}[0].mismatchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: app, matchLabelKeys: ['ok', 'bad key!'], mismatchLabelKeys: ['/x'], topologyKey: 'zone' })), [
    `${POD}[0].matchLabelKeys[1]: Invalid value: "bad key!": name part ${KEY_SYNTAX}`,
    `${POD}[0].mismatchLabelKeys[0]: Invalid value: "/x": prefix part must be non-empty`,
  ]);
  t.deepEqual(affinity(podTerm({ labelSelector: app, matchLabelKeys: ['a', 'tenant'], mismatchLabelKeys: ['tenant'], topologyKey: 'zone' })), [
    `${POD}[0].matchLabelKeys[1]: Invalid value: "tenant": exists in both matchLabelKeys and mismatchLabelKeys`,
  ]);
});

test('a matchLabelKeys key the selector already has (as the Pod merge leaves it) is reported at the term, by its position', (t) => {
  // On a Pod, `rev` in matchLabelKeys has been merged into matchExpressions; matchLabels has it too.
  const merged = { matchLabels: { rev: 'a' }, matchExpressions: [{ key: 'rev', operator: 'In', values: ['b'] }] };
  t.deepEqual(affinity({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: merged, matchLabelKeys: ['x', 'rev'], topologyKey: 'zone' }] } }), [
    `${ANTI}[0][1]: Invalid value: "rev": exists in both matchLabelKeys and labelSelector`,
  ]);
  const twice = { matchExpressions: [{ key: 'rev', operator: 'Exists' }, { key: 'rev', operator: 'In', values: ['b'] }] };
  t.deepEqual(affinity(podTerm({ labelSelector: twice, matchLabelKeys: ['rev'], topologyKey: 'zone' })), [
    `${POD}[0][0]: Invalid value: "rev": exists in both matchLabelKeys and labelSelector`,
  ]);
  // Only matchLabelKeys are checked against the selector; mismatchLabelKeys may narrow a key it selects on.
  t.deepEqual(affinity(podTerm({ labelSelector: twice, mismatchLabelKeys: ['rev'], topologyKey: 'zone' })), []);
});

test('weighted pod affinity terms: weight 1-100, the term at podAffinityTerm; anti-affinity the same', (t) => {
  const term = { labelSelector: app, topologyKey: 'kubernetes.io/hostname' };
  t.deepEqual(affinity({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }, { weight: 100, podAffinityTerm: term }] } }), []);
  t.deepEqual(affinity({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 500, podAffinityTerm: term }, { weight: 0, podAffinityTerm: { ...term, topologyKey: '' } }] } }), [
    `${PREFERRED_ANTI}[0].weight: Invalid value: 500: must be in the range 1-100`,
    `${PREFERRED_ANTI}[1].weight: Invalid value: 0: must be in the range 1-100`,
    `${PREFERRED_ANTI}[1].podAffinityTerm.topologyKey: Required value: can not be empty`,
    `${PREFERRED_ANTI}[1].podAffinityTerm.topologyKey: Invalid value: "": name part must be non-empty`,
    `${PREFERRED_ANTI}[1].podAffinityTerm.topologyKey: Invalid value: "": name part ${KEY_SYNTAX}`,
  ]);
  t.deepEqual(affinity({ podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: term }] } }), [
    'spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100',
  ]);
  t.deepEqual(affinity({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, topologyKey: '' }] } })[0], `${ANTI}[0].topologyKey: Required value: can not be empty`);
});

test('every rule of every kind of affinity is reported, in kube\'s order', (t) => {
  t.deepEqual(affinity({
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: app, topologyKey: 'bad key!' }] },
    nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 200, preference: {} }], requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: app, topologyKey: 'zone', namespaces: ['UP'] } }] },
  }).map((m) => m.slice(0, m.indexOf(':'))), [
    `${NODE}.nodeSelectorTerms`,
    `${PREFERRED_NODE}[0].weight`,
    'spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.namespace',
    `${ANTI}[0].topologyKey`,
  ]);
});

test('pod templates are checked the same way, under their own path', (t) => {
  const spec = { containers: [container], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', affinity: requiredNode({ key: 'zone', operator: 'Foo' }) };
  t.deepEqual(messages(validatePodSpec(spec, 'spec.template.spec')), [
    'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Foo": not a valid selector operator',
  ]);
});

test('an update leaves alone the affinity the object already had, and checks a new one', (t) => {
  const spec = { containers: [container], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', affinity: requiredNode({ key: 'zone', operator: 'Foo' }) };
  t.deepEqual(validatePodSpec(spec, 'spec', { old: structuredClone(spec) }), []);
  const changed = structuredClone(spec);
  changed.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator = 'Bar';
  t.is(validatePodSpec(changed, 'spec', { old: spec }).length, 1);
});

test('label keys and values are checked as kube checks them (IsQualifiedName, IsValidLabelValue, ValidateLabels)', (t) => {
  t.deepEqual(qualifiedName('k', 'example.com/Name_1.x'), []);
  t.deepEqual(messages(qualifiedName('k', 'a'.repeat(64))), [`k: Invalid value: "${'a'.repeat(64)}": name part must be no more than 63 characters`]);
  t.deepEqual(messages(qualifiedName('k', `${'a'.repeat(62)}-`)), [`k: Invalid value: "${'a'.repeat(62)}-": name part ${KEY_SYNTAX}`]);
  t.deepEqual(messages(qualifiedName('k', `-${'a'.repeat(63)}`)), [
    `k: Invalid value: "-${'a'.repeat(63)}": name part must be no more than 63 characters`,
    `k: Invalid value: "-${'a'.repeat(63)}": name part ${KEY_SYNTAX}`,
  ]);
  t.deepEqual(messages(qualifiedName('k', 'example.com/')), ['k: Invalid value: "example.com/": name part must be non-empty', `k: Invalid value: "example.com/": name part ${KEY_SYNTAX}`]);
  t.deepEqual(messages(labelValue('v', `-${'a'.repeat(63)}`)), [
    `v: Invalid value: "-${'a'.repeat(63)}": must be no more than 63 characters`,
    `v: Invalid value: "-${'a'.repeat(63)}": ${LABEL_VALUE_SYNTAX}`,
  ]);
  t.deepEqual(labelValue('v', ''), []);
  t.deepEqual(messages(labels('metadata.labels', { ok: 'fine', 'bad/key/x': 'not fine' })), [
    `metadata.labels: Invalid value: "bad/key/x": a qualified name ${KEY_SYNTAX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    `metadata.labels: Invalid value: "not fine": ${LABEL_VALUE_SYNTAX}`,
  ]);
});
