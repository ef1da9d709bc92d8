import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { checkStructure } from '../validation/structural.js';
import { deployment } from './deployment.js';
import { imagePullPolicyFor, pod, podQOSClass, podSummary } from './pod.js';
import { replicaSet } from './replica-set.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const make = (spec: KObject, extra: KObject = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(60_000) }, spec, ...extra,
});

/** A create as the API server runs it: prepareForCreate, defaults, validate. */
function create(spec: KObject): { p: KObject; causes: Cause[] } {
  const p = make(structuredClone(spec));
  pod.prepareForCreate!(p);
  pod.defaults!(p);
  return { p, causes: pod.validate!(p) };
}

/** An update: defaults on the new object, validated against the old. */
function update(old: KObject, change: (p: KObject) => void): Cause[] {
  const next = structuredClone(old);
  change(next);
  pod.defaults!(next);
  return pod.validate!(next, old);
}

const fields = (causes: Cause[]) => causes.map((c) => c.field);
const cell = (p: KObject, column: string) => pod.columns.find((c) => c.name === column)!.cell(p);
const nginx = { containers: [{ name: 'nginx', image: 'nginx:1.27' }] };

test('defaults match what kube-apiserver stores for a minimal pod', (t) => {
  const { p, causes } = create(nginx);
  t.deepEqual(causes, []);
  t.deepEqual(p.spec, {
    containers: [{
      name: 'nginx', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', resources: {},
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    dnsPolicy: 'ClusterFirst', enableServiceLinks: true, restartPolicy: 'Always', schedulerName: 'default-scheduler',
    securityContext: {}, terminationGracePeriodSeconds: 30,
  });
  t.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('image pull policy follows the tag', (t) => {
  t.is(imagePullPolicyFor('nginx'), 'Always');
  t.is(imagePullPolicyFor('nginx:latest'), 'Always');
  t.is(imagePullPolicyFor('nginx:1.27'), 'IfNotPresent');
  t.is(imagePullPolicyFor('localhost:5000/team/app'), 'Always');
  t.is(imagePullPolicyFor('localhost:5000/team/app:v2'), 'IfNotPresent');
  t.is(imagePullPolicyFor(`nginx@sha256:${'a'.repeat(64)}`), 'IfNotPresent');
  t.is(imagePullPolicyFor(`nginx:latest@sha256:${'a'.repeat(64)}`), 'Always');
  t.is(imagePullPolicyFor('Nginx'), 'IfNotPresent');
});

test('container, probe, port, env and volume defaults', (t) => {
  const { p, causes } = create({
    containers: [{
      name: 'app', image: 'app:v1',
      ports: [{ containerPort: 8080 }],
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
      resources: { limits: { cpu: '1000m', memory: '512Mi' } },
      livenessProbe: { httpGet: { port: 8080 } },
      readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
      volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }, { name: 'conf', mountPath: '/etc/app' }],
    }],
    volumes: [{ name: 'scratch' }, { name: 'conf', configMap: { name: 'app' } }, { name: 'logs', hostPath: { path: '/var/log' } }],
  });
  t.deepEqual(causes, []);
  const c = p.spec.containers[0];
  t.deepEqual(c.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
  t.deepEqual(c.env[0].valueFrom.fieldRef, { apiVersion: 'v1', fieldPath: 'metadata.name' });
  t.deepEqual(c.env[1].valueFrom.resourceFieldRef, { resource: 'limits.cpu', divisor: '0' });
  t.deepEqual(c.resources, { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '1', memory: '512Mi' } });
  t.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.is(c.readinessProbe.periodSeconds, 5);
  t.deepEqual(p.spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'conf', configMap: { name: 'app', defaultMode: 420 } },
    { name: 'logs', hostPath: { path: '/var/log', type: '' } },
  ]);
  t.is(p.status.qosClass, 'Guaranteed');
});

test('serviceAccount and serviceAccountName are kept equal; podIP fills podIPs', (t) => {
  const { p } = create({ ...nginx, serviceAccount: 'builder' });
  t.is(p.spec.serviceAccountName, 'builder');
  t.is(p.spec.serviceAccount, 'builder');
  p.status = { phase: 'Running', podIP: '10.0.0.5', hostIPs: [{ ip: '192.168.1.2' }] };
  pod.defaults!(p);
  t.deepEqual(p.status.podIPs, [{ ip: '10.0.0.5' }]);
  t.is(p.status.hostIP, '192.168.1.2');
});

test('QoS class from requests and limits', (t) => {
  const c = (resources: KObject) => ({ containers: [{ name: 'a', image: 'a', resources }] });
  t.is(podQOSClass(c({})), 'BestEffort');
  t.is(podQOSClass(c({ requests: { cpu: '100m' } })), 'Burstable');
  t.is(podQOSClass(c({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  t.is(podQOSClass(c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } })), 'Burstable');
  t.is(podQOSClass(c({ limits: { cpu: '1' } })), 'Burstable');
});

test('scheduling gates mark the pod SchedulingGated', (t) => {
  const { p, causes } = create({ ...nginx, schedulingGates: [{ name: 'example.com/wait' }] });
  t.deepEqual(causes, []);
  t.is(p.status.conditions[0].reason, 'SchedulingGated');
  t.is(cell(p, 'Status'), 'SchedulingGated');
});

test('a pod needs containers, and each needs a name and an image', (t) => {
  t.deepEqual(create({}).causes.map((c) => c.message), ['spec.containers: Required value']);
  const { causes } = create({ containers: [{ name: 'Web_1' }, { name: 'ok', image: ' nginx' }] });
  t.deepEqual(causes.map((c) => c.message), [
    "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    'spec.containers[0].image: Required value',
    'spec.containers[1].image: Invalid value: " nginx": must not have leading or trailing whitespace',
  ]);
});

test('container names are unique across init and regular containers', (t) => {
  const { causes } = create({ containers: [{ name: 'app', image: 'a' }], initContainers: [{ name: 'app', image: 'b' }] });
  t.deepEqual(causes.map((c) => c.message), ['spec.initContainers[0].name: Duplicate value: "app"']);
});

test('ports: range, IANA names, protocols, duplicate host ports', (t) => {
  const { causes } = create({
    containers: [{
      name: 'a', image: 'a', ports: [
        { containerPort: 70000 }, { containerPort: 80, name: 'Http' }, { containerPort: 81, name: 'a-very-long-port-name' },
        { containerPort: 82, protocol: 'HTTP' }, { containerPort: 83, name: '1234' }, { containerPort: 84, hostPort: 8080 }, { containerPort: 85, hostPort: 8080 },
      ],
    }],
  });
  t.deepEqual(causes.map((c) => c.message), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].ports[2].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
    'spec.containers[0].ports[3].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[4].name: Invalid value: "1234": must contain at least one letter (a-z)',
    'spec.containers[0].ports[6].hostPort: Duplicate value: "TCP//8080"',
  ]);
});

test('policies are checked against the supported values', (t) => {
  const { causes } = create({ ...nginx, restartPolicy: 'Sometimes', dnsPolicy: 'Cluster' });
  t.deepEqual(causes.map((c) => c.message), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
  t.deepEqual(fields(create({ containers: [{ name: 'a', image: 'a', imagePullPolicy: 'Sometimes' }] }).causes), ['spec.containers[0].imagePullPolicy']);
  t.deepEqual(create({ ...nginx, dnsPolicy: 'None' }).causes.map((c) => c.message), ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']);
});

test('volumes: unique DNS-label names, one source, mounts refer to them', (t) => {
  const { causes } = create({
    containers: [{ name: 'a', image: 'a', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'missing', mountPath: '/data' }, { name: 'data', mountPath: '/x', subPath: '../etc' }] }],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'Bad', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'cm', configMap: {} }],
  });
  t.deepEqual(causes.map((c) => c.message), [
    'spec.volumes[1].name: Duplicate value: "data"',
    "spec.volumes[2].name: Invalid value: \"Bad\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    'spec.volumes[2].emptyDir: Forbidden: may not specify more than 1 volume type',
    'spec.volumes[3].configMap.name: Required value',
    'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
    'spec.containers[0].volumeMounts[2].subPath: Invalid value: "../etc": must not contain \'..\'',
  ]);
  t.is(causes[4].reason, 'FieldValueNotFound');
});

test('env: names, exactly one value source, known field paths', (t) => {
  const { causes } = create({
    containers: [{
      name: 'a', image: 'a', env: [
        { name: 'A=B', value: 'x' },
        { name: 'OK', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' }, secretKeyRef: { name: 's', key: 'k' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } },
        { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'EMPTY', valueFrom: {} },
      ],
      envFrom: [{ prefix: 'X_', configMapRef: { name: 'settings' } }],
    }],
  });
  t.deepEqual(causes.map((c) => c.message), [
    "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.containers[0].env[1].valueFrom: Invalid value: "": may not have more than one field specified at a time',
    'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    'spec.containers[0].env[4].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
  ]);
});

test('resources: quantities parse, requests stay within limits', (t) => {
  const { causes } = create({
    containers: [
      { name: 'a', image: 'a', resources: { limits: { cpu: '500m', memory: 'lots' }, requests: { cpu: '1' } } },
      { name: 'b', image: 'b', resources: { requests: { gpu: '1', memory: '-1Gi' } } },
      { name: 'c', image: 'c', resources: { requests: { 'example.com/dongle': '1' } } },
    ],
  });
  t.deepEqual(causes.map((c) => c.message), [
    "spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    // On a Pod, the memory limit is copied into requests before validation, so it fails there too.
    "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    'spec.containers[1].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    'spec.containers[1].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    'spec.containers[2].resources.limits: Required value: Limit must be set for non overcommitable resources',
  ]);
});

test('probes: one handler, sensible numbers, init containers take none', (t) => {
  const { causes } = create({
    containers: [{
      name: 'a', image: 'a',
      livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, successThreshold: 2 },
      readinessProbe: { periodSeconds: 5 },
      startupProbe: { httpGet: { port: 'Web' }, initialDelaySeconds: -1 },
    }],
    initContainers: [{ name: 'init', image: 'i', readinessProbe: { exec: { command: ['true'] } } }],
  });
  t.deepEqual(causes.map((c) => c.message), [
    'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    'spec.containers[0].startupProbe.httpGet.port: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].startupProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
    'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
  ]);
  t.deepEqual(create({ ...nginx, initContainers: [{ name: 'sidecar', image: 's', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }] }).causes, []);
});

test('pod-level fields: grace period, deadline, node selector, tolerations, names', (t) => {
  const { causes } = create({
    ...nginx, terminationGracePeriodSeconds: -5, activeDeadlineSeconds: 0, nodeSelector: { 'bad key!': 'x' },
    tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { operator: 'Equal', value: 'x' }, { key: 'k', effect: 'Never' }, { key: 'k', tolerationSeconds: 5, effect: 'NoSchedule' }],
    serviceAccountName: 'Bad_SA', hostname: 'under_score',
  });
  t.deepEqual(fields(causes), [
    'spec.nodeSelector', 'spec.serviceAccountName', 'spec.hostname', 'spec.activeDeadlineSeconds', 'spec.terminationGracePeriodSeconds',
    'spec.tolerations[0].operator', 'spec.tolerations[1].operator', 'spec.tolerations[2].effect', 'spec.tolerations[3].effect',
  ]);
  const byField = Object.fromEntries(causes.map((c) => [c.field, c.message]));
  t.is(byField['spec.terminationGracePeriodSeconds'], 'spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0');
  t.is(byField['spec.activeDeadlineSeconds'], 'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive');
  t.is(byField['spec.tolerations[2].effect'], 'spec.tolerations[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
});

test('one cause per field', (t) => {
  const { causes } = create({ containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 80, name: '-Bad--Name-Which-Is-Long' }] }] });
  t.is(causes.filter((c) => c.field === 'spec.containers[0].ports[0].name').length, 1);
});

test('updates may change images, shorten the deadline and add tolerations only', (t) => {
  const { p: old } = create({ ...nginx, activeDeadlineSeconds: 600, tolerations: [{ key: 'a', operator: 'Exists' }] });
  t.deepEqual(update(old, (p) => { p.spec.containers[0].image = 'nginx:1.28'; }), []);
  t.deepEqual(update(old, (p) => { p.spec.activeDeadlineSeconds = 300; }), []);
  t.deepEqual(update(old, (p) => { p.spec.tolerations.push({ key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }); }), []);
  t.deepEqual(update(old, (p) => { p.metadata.labels = { tier: 'web' }; }), []);

  const longer = update(old, (p) => { p.spec.activeDeadlineSeconds = 900; });
  t.deepEqual(longer.map((c) => c.message), ['spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value']);

  const removed = update(old, (p) => { p.spec.tolerations = []; });
  t.deepEqual(removed.map((c) => c.message), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);

  const other = update(old, (p) => { p.spec.restartPolicy = 'Never'; });
  t.is(other.length, 1);
  t.is(other[0].field, 'spec');
  t.is(other[0].reason, 'FieldValueForbidden');
  t.true(other[0].message.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
  t.true(other[0].message.includes('spec.restartPolicy: "Always" -> "Never"'));

  const added = update(old, (p) => { p.spec.containers.push({ name: 'b', image: 'b' }); });
  t.deepEqual(added.map((c) => c.message), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('a status update with the spec unchanged validates', (t) => {
  const { p: old } = create(nginx);
  t.deepEqual(update(old, (p) => { p.status = { phase: 'Running', podIP: '10.1.0.4' }; }), []);
});

// ---------------------------------------------------------------------------
// Scheduling constraints
// ---------------------------------------------------------------------------

const AFFINITY = 'spec.affinity';
const messagesOf = (causes: Cause[]) => causes.map((c) => c.message);

test('affinity is validated on create: the cases QA found kube-apiserver refusing', (t) => {
  const node = (expr: KObject) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } });
  const expr = `${AFFINITY}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]`;
  t.deepEqual(messagesOf(create({ ...nginx, affinity: node({ key: 'zone', operator: 'Foo', values: ['a'] }) }).causes), [`${expr}.operator: Invalid value: "Foo": not a valid selector operator`]);
  t.deepEqual(messagesOf(create({ ...nginx, affinity: node({ key: 'zone', operator: 'Exists', values: ['a'] }) }).causes), [`${expr}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`]);
  t.deepEqual(messagesOf(create({ ...nginx, affinity: node({ key: 'zone', operator: 'In' }) }).causes), [`${expr}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]);

  const anti = create({ ...nginx, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: '' }] } } });
  // One cause per field, as for every other field: kube also lists the empty key's syntax errors.
  t.deepEqual(messagesOf(anti.causes), [`${AFFINITY}.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty`]);

  const weight = create({ ...nginx, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 500, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }] } } });
  t.deepEqual(messagesOf(weight.causes), [`${AFFINITY}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 500: must be in the range 1-100`]);
});

test('affinity is typed: wrong JSON types do not decode, unknown fields are reported and empty lists dropped', (t) => {
  const p = make({
    ...nginx,
    affinity: {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: '500', preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists', values: [] }] } }] },
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'x' } }, topologykey: 'typo' }] },
    },
  });
  t.deepEqual(checkStructure(p, pod.schema), {
    typeErrors: ['spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: expected int32, got string'],
    unknownFields: ['spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologykey'],
  });
  t.deepEqual(p.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0], { key: 'ssd', operator: 'Exists' });
  const nodeSelector = pod.schema.properties!.spec.properties!.affinity.properties!.nodeAffinity.properties!.requiredDuringSchedulingIgnoredDuringExecution;
  t.is(nodeSelector.definition, 'io.k8s.api.core.v1.NodeSelector');
  t.is(nodeSelector.properties!.nodeSelectorTerms.listType, 'atomic');
});

test('on create, matchLabelKeys and mismatchLabelKeys join the term\'s selector with the pod\'s values', (t) => {
  const term = (extra: KObject) => ({ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone', ...extra });
  const spec = {
    ...nginx,
    affinity: {
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabelKeys: ['rev', 'missing'], mismatchLabelKeys: ['tenant'] })] },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ matchLabelKeys: ['rev'] }) }],
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', matchLabelKeys: ['rev'] }],
      },
    },
  };
  const p = make(structuredClone(spec), { metadata: { name: 'web', namespace: 'default', labels: { app: 'web', rev: 'abc', tenant: 't1' } } });
  pod.prepareForCreate!(p);
  pod.defaults!(p);
  const affinity = p.spec.affinity;
  t.deepEqual(affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, {
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'rev', operator: 'In', values: ['abc'] }, { key: 'tenant', operator: 'NotIn', values: ['t1'] }],
  });
  t.deepEqual(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions, [{ key: 'rev', operator: 'In', values: ['abc'] }]);
  // Without a selector the term selects nothing; nothing is merged, and the keys are refused.
  t.is(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, undefined);
  t.deepEqual(messagesOf(pod.validate!(p)), [
    `${AFFINITY}.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
  ]);
});

test('a matchLabelKeys key the selector already selects on is refused once merged', (t) => {
  const p = make({
    ...nginx,
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, matchLabelKeys: ['app'], topologyKey: 'zone' }] } },
  }, { metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } });
  pod.prepareForCreate!(p);
  pod.defaults!(p);
  t.deepEqual(messagesOf(pod.validate!(p)), [
    `${AFFINITY}.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0][0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
  ]);
});

test('a pod stored with an affinity Skiff did not check before stays updatable; changing it is checked', (t) => {
  const { p: old } = create(nginx);
  old.spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 500, preference: {} }] } };
  t.deepEqual(update(old, (p) => { p.status = { phase: 'Running' }; }), []);
  t.deepEqual(update(old, (p) => { p.metadata.finalizers = []; }), []);
  const changed = update(old, (p) => { p.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight = 0; });
  t.deepEqual(fields(changed), [`${AFFINITY}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight`, 'spec']);
});

test('Deployment and ReplicaSet templates get the same affinity checks', (t) => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { ...nginx, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 500, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' } }] } } },
  };
  for (const kind of [deployment, replicaSet]) {
    const obj: KObject = { apiVersion: 'apps/v1', kind: kind.kind, metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: structuredClone(template) } };
    kind.prepareForCreate?.(obj);
    kind.defaults!(obj);
    t.deepEqual(messagesOf(kind.validate!(obj)), [
      'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 500: must be in the range 1-100',
    ], kind.kind);
  }
});

test('graceful deletion only for scheduled, unfinished pods', (t) => {
  t.false(pod.gracefulDeletion!(make(nginx)));
  t.true(pod.gracefulDeletion!(make({ ...nginx, nodeName: 'n1' }, { status: { phase: 'Running' } })));
  t.false(pod.gracefulDeletion!(make({ ...nginx, nodeName: 'n1' }, { status: { phase: 'Succeeded' } })));
});

test('the schema covers what users write', (t) => {
  const p = make({
    containers: [{
      name: 'app', image: 'app:1', command: ['/app'], args: ['--v=2'], workingDir: '/srv', stdin: true, tty: true,
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }],
      envFrom: [{ configMapRef: { name: 'cm' } }],
      resources: { limits: { cpu: 1, memory: '1Gi' }, requests: { cpu: '100m' } },
      volumeMounts: [{ name: 'd', mountPath: '/d', readOnly: true }],
      livenessProbe: { grpc: { port: 9000 }, initialDelaySeconds: 3 },
      readinessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] } },
      lifecycle: { preStop: { sleep: { seconds: 5 } } },
      securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    }],
    volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }, { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaces: ['data'], topologyKey: 'zone' }] },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['app'] }] }, namespaceSelector: {}, topologyKey: 'kubernetes.io/hostname', matchLabelKeys: ['rev'] },
        }],
      },
    },
    tolerations: [{ key: 'k', operator: 'Exists' }], imagePullSecrets: [{ name: 'reg' }], priorityClassName: 'high',
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'x' } } }],
  }, {
    status: {
      phase: 'Running', podIPs: [{ ip: '10.0.0.1' }], hostIPs: [{ ip: '192.168.0.1' }], qosClass: 'Burstable', startTime: ago(1000),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(1000) }],
      containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, image: 'app:1', imageID: 'sha', containerID: 'containerd://x', state: { running: { startedAt: ago(1000) } }, lastState: {} }],
    },
  });
  const result = checkStructure(p, pod.schema);
  t.deepEqual(result, { typeErrors: [], unknownFields: [] });
  pod.defaults!(p);
  t.deepEqual(pod.validate!(p), []);
});

// ---------------------------------------------------------------------------
// Printer columns
// ---------------------------------------------------------------------------

const running = (name: string, extra: KObject = {}) => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: ago(1000) } }, ...extra });

test('READY and STATUS of a running pod; wide columns', (t) => {
  const p = make({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }], nodeName: 'node-1' }, {
    status: { phase: 'Running', podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }], containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { running: {} } }] },
  });
  t.is(cell(p, 'Name'), 'web');
  t.is(cell(p, 'Ready'), '1/2');
  t.is(cell(p, 'Status'), 'Running');
  t.is(cell(p, 'Restarts'), '0');
  t.is(cell(p, 'Age'), '60s');
  t.is(cell(p, 'IP'), '10.0.0.7');
  t.is(cell(p, 'Node'), 'node-1');
  t.is(cell(p, 'Nominated Node'), '<none>');
  t.is(cell(p, 'Readiness Gates'), '<none>');
  t.deepEqual(pod.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
  ]);
});

test('pending pod without an IP prints <none>, ContainerCreating from waiting reason', (t) => {
  const pending = make(nginx, { status: { phase: 'Pending' } });
  t.is(cell(pending, 'Status'), 'Pending');
  t.is(cell(pending, 'IP'), '<none>');
  t.is(cell(pending, 'Node'), '<none>');
  t.is(cell(pending, 'Ready'), '0/1');
  const creating = make(nginx, { status: { phase: 'Pending', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } });
  t.is(cell(creating, 'Status'), 'ContainerCreating');
});

test('CrashLoopBackOff with restarts and how long ago the last one was', (t) => {
  const p = make(nginx, {
    status: {
      phase: 'Running',
      containerStatuses: [{
        name: 'nginx', ready: false, restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * 60_000) } },
      }],
    },
  });
  t.is(cell(p, 'Status'), 'CrashLoopBackOff');
  t.is(cell(p, 'Restarts'), '5 (5m ago)');
});

test('Completed, Error and ExitCode reasons of terminated containers', (t) => {
  const done = (terminated: KObject, phase: string) => make(nginx, { status: { phase, containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { terminated } }] } });
  t.is(cell(done({ exitCode: 0, reason: 'Completed' }, 'Succeeded'), 'Status'), 'Completed');
  t.is(cell(done({ exitCode: 1, reason: 'Error' }, 'Failed'), 'Status'), 'Error');
  t.is(cell(done({ exitCode: 3 }, 'Failed'), 'Status'), 'ExitCode:3');
  t.is(cell(done({ exitCode: 137, signal: 9 }, 'Failed'), 'Status'), 'Signal:9');
});

test('init container progress', (t) => {
  const spec = { ...nginx, initContainers: [{ name: 'i1', image: 'i' }, { name: 'i2', image: 'i' }] };
  const waitingNginx = { name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } };
  const first = make(spec, { status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { running: {} } }, { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }], containerStatuses: [waitingNginx] } });
  t.is(cell(first, 'Status'), 'Init:0/2');
  const second = make(spec, { status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'i2', state: { running: {} } }], containerStatuses: [waitingNginx] } });
  t.is(cell(second, 'Status'), 'Init:1/2');
  const crashing = make(spec, { status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30_000) } } }, { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } }], containerStatuses: [waitingNginx] } });
  t.is(cell(crashing, 'Status'), 'Init:CrashLoopBackOff');
  t.is(cell(crashing, 'Restarts'), '3 (30s ago)');
  const failed = make(spec, { status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] } });
  t.is(cell(failed, 'Status'), 'Init:ExitCode:2');
});

test('sidecars count towards READY', (t) => {
  const p = make({ ...nginx, initContainers: [{ name: 'proxy', image: 'p', restartPolicy: 'Always' }] }, {
    status: { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } }], containerStatuses: [running('nginx')] },
  });
  t.is(cell(p, 'Ready'), '2/2');
  t.is(cell(p, 'Status'), 'Running');
  t.is(cell(p, 'Restarts'), '1');
});

test('Terminating while being deleted, Unknown for a lost node', (t) => {
  const p = make(nginx, { status: { phase: 'Running', containerStatuses: [running('nginx')] } });
  p.metadata.deletionTimestamp = new Date().toISOString();
  t.is(cell(p, 'Status'), 'Terminating');
  p.status.reason = 'NodeLost';
  t.is(cell(p, 'Status'), 'Unknown');
  const finished = make(nginx, { status: { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } });
  finished.metadata.deletionTimestamp = new Date().toISOString();
  t.is(podSummary(finished).status, 'Completed');
});

test('readiness gates count the True conditions', (t) => {
  const p = make({ ...nginx, readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] }, {
    status: { phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }] },
  });
  t.is(cell(p, 'Readiness Gates'), '1/2');
});

test('field selectors', (t) => {
  const p = make({ ...nginx, nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' }, {
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.9' }], podIP: '10.0.0.9' },
  });
  const f = pod.fields!;
  t.is(f['spec.nodeName'](p), 'n1');
  t.is(f['spec.restartPolicy'](p), 'Always');
  t.is(f['spec.schedulerName'](p), 'default-scheduler');
  t.is(f['spec.serviceAccountName'](p), 'default');
  t.is(f['status.phase'](p), 'Running');
  t.is(f['status.podIP'](p), '10.0.0.9');
  t.is(f['status.nominatedNodeName'](p), '');
  t.is(f['spec.hostNetwork'](p), 'false');
});

test('kind declaration', (t) => {
  t.is(pod.schema.definition, 'io.k8s.api.core.v1.Pod');
  t.deepEqual(pod.shortNames, ['po']);
  t.deepEqual(pod.categories, ['all']);
  t.deepEqual(pod.subresources, { status: true, binding: true, streaming: true });
  const spec = pod.schema.properties!.spec;
  t.is(spec.properties!.containers.patchMergeKey, 'name');
  t.is(spec.properties!.volumes.patchStrategy, 'merge,retainKeys');
  t.is(spec.properties!.tolerations.patchStrategy, undefined);
  const container = spec.properties!.containers.items!;
  t.deepEqual(container.properties!.ports.listMapKeys, ['containerPort', 'protocol']);
  t.is(container.properties!.ports.patchMergeKey, 'containerPort');
  t.is(container.properties!.volumeMounts.patchMergeKey, 'mountPath');
  t.is(container.properties!.env.patchMergeKey, 'name');
  t.is(pod.schema.properties!.status.properties!.conditions.patchMergeKey, 'type');
});
