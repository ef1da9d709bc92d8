import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { call } from '../helpers/http.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

// The tests share one set of classes (one global default at a time), so they run in order.
let cluster: TestCluster;
test.before(async () => { cluster = await startCluster({}, { controllers: true }); });
test.after.always(async () => { await cluster?.stop(); });

const CLASSES = '/apis/scheduling.k8s.io/v1/priorityclasses';
const PODS = '/api/v1/namespaces/default/pods';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = { name }) =>
  ({ metadata: meta, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

test.serial('the system classes exist from the start, are served with kube\'s fields and cannot be deleted', async (t) => {
  const node = await call(cluster, 'GET', `${CLASSES}/system-node-critical`);
  t.is(node.status, 200, node.text);
  t.like(node.body, {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', value: 2000001000, preemptionPolicy: 'PreemptLowerPriority',
    description: 'Used for system critical pods that must not be moved from their current node.', metadata: { name: 'system-node-critical', generation: 1 },
  });
  t.false('globalDefault' in node.body);
  const clusterCritical = await call(cluster, 'GET', `${CLASSES}/system-cluster-critical`);
  t.is(clusterCritical.body.value, 2000000000);

  const refused = await call(cluster, 'DELETE', `${CLASSES}/system-node-critical`);
  t.is(refused.status, 403, refused.text);
  t.like(refused.body, {
    reason: 'Forbidden', message: 'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
    details: { name: 'system-node-critical', group: 'scheduling.k8s.io', kind: 'priorityclasses' },
  });
  const byKubectl = await kubectl(cluster, ['delete', 'pc', 'system-cluster-critical']);
  t.not(byKubectl.code, 0);
  t.regex(byKubectl.stderr, /Error from server \(Forbidden\): priorityclasses.scheduling.k8s.io "system-cluster-critical" is forbidden: this is a system priority class and cannot be deleted/);

  // A restart finds them and leaves them be.
  await cluster.restart();
  const again = await call(cluster, 'GET', `${CLASSES}/system-node-critical`);
  t.is(again.body.metadata.uid, node.body.metadata.uid);
  t.is(again.body.metadata.resourceVersion, node.body.metadata.resourceVersion);
});

test.serial('discovery, kubectl create priorityclass (protobuf) and kubectl get pc as kube prints them', async (t) => {
  const resources = (await call(cluster, 'GET', '/apis/scheduling.k8s.io/v1')).body.resources;
  t.like(resources.find((r: any) => r.name === 'priorityclasses'), { singularName: 'priorityclass', namespaced: false, kind: 'PriorityClass', shortNames: ['pc'] });
  t.regex(await kubectlOk(cluster, ['explain', 'pc.preemptionPolicy']), /FIELD:\s+preemptionPolicy <string>/);

  const created = await kubectl(cluster, ['create', 'priorityclass', 'high', '--value=1000', '--global-default', '--description=for the important ones', '-v=8']);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /^priorityclass.scheduling.k8s.io\/high created$/m);
  t.regex(created.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
  const high = (await call(cluster, 'GET', `${CLASSES}/high`)).body;
  t.like(high, { value: 1000, globalDefault: true, description: 'for the important ones', preemptionPolicy: 'PreemptLowerPriority', metadata: { generation: 1 } });

  t.regex(await kubectlOk(cluster, ['create', 'priorityclass', 'zero', '--value=0', '--preemption-policy=Never']), /priorityclass.scheduling.k8s.io\/zero created/);
  const zero = (await call(cluster, 'GET', `${CLASSES}/zero`)).body;
  t.is(zero.value, 0);
  t.is(zero.preemptionPolicy, 'Never');
  t.false('globalDefault' in zero);
  t.false('description' in zero);

  const printed = await kubectlOk(cluster, ['get', 'pc']);
  t.regex(printed, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n/);
  t.regex(printed, /\nhigh\s+1000\s+true\s+\d+s\s+PreemptLowerPriority\n/);
  t.regex(printed, /\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\n/);
  t.regex(printed, /\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority\n/);
  t.regex(printed, /\nzero\s+0\s+false\s+\d+s\s+Never\n/);
});

test.serial('class validation: the user maximum, reserved system- names, immutable value and preemptionPolicy', async (t) => {
  const tooHigh = await call(cluster, 'POST', CLASSES, { metadata: { name: 'too-high' }, value: 1000000001 });
  t.is(tooHigh.status, 422, tooHigh.text);
  t.is(tooHigh.body.message, 'PriorityClass.scheduling.k8s.io "too-high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  const reserved = await call(cluster, 'POST', CLASSES, { metadata: { name: 'system-mine' }, value: 1 });
  t.is(reserved.status, 422, reserved.text);
  t.is(reserved.body.message, 'PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with \'system-\' prefix are reserved for system use only. error: system-mine is not a known system priority class');

  const changed = await call(cluster, 'PATCH', `${CLASSES}/zero`, { value: 5, preemptionPolicy: 'PreemptLowerPriority' }, MERGE);
  t.is(changed.status, 422, changed.text);
  t.is(changed.body.message, 'PriorityClass.scheduling.k8s.io "zero" is invalid: [value: Forbidden: may not be changed in an update., preemptionPolicy: Invalid value: "PreemptLowerPriority": field is immutable]');
  const described = await call(cluster, 'PATCH', `${CLASSES}/zero`, { description: 'nothing special' }, MERGE);
  t.is(described.status, 200, described.text);
  t.is(described.body.metadata.generation, 1);
});

test.serial('only one class may be the global default, on create and on update', async (t) => {
  const second = await call(cluster, 'POST', CLASSES, { metadata: { name: 'other' }, value: 5, globalDefault: true });
  t.is(second.status, 403, second.text);
  t.like(second.body, {
    reason: 'Forbidden', message: 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass high is already marked as default. Only one default can exist',
    details: { name: 'other', group: 'scheduling.k8s.io', kind: 'priorityclasses' },
  });
  const byKubectl = await kubectl(cluster, ['create', 'pc', 'other', '--value=5', '--global-default']);
  t.regex(byKubectl.stderr, /^error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass high is already marked as default. Only one default can exist$/m);
  const marked = await call(cluster, 'PATCH', `${CLASSES}/zero`, { globalDefault: true }, MERGE);
  t.is(marked.status, 403, marked.text);
  t.is(marked.body.message, 'priorityclasses.scheduling.k8s.io "zero" is forbidden: PriorityClass high is already marked as default. Only one default can exist');
  // The default itself may be updated, staying the default.
  const same = await call(cluster, 'PATCH', `${CLASSES}/high`, { description: 'still the default' }, MERGE);
  t.is(same.status, 200, same.text);
  t.true(same.body.globalDefault);
});

test.serial('a pod gets its class\'s priority and preemption policy; one without a class gets the global default', async (t) => {
  const named = await call(cluster, 'POST', PODS, pod('named', { priorityClassName: 'zero' }));
  t.is(named.status, 201, named.text);
  t.like(named.body.spec, { priorityClassName: 'zero', priority: 0, preemptionPolicy: 'Never' });

  const unnamed = await call(cluster, 'POST', PODS, pod('unnamed'));
  t.is(unnamed.status, 201, unnamed.text);
  t.like(unnamed.body.spec, { priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });

  // The critical classes are not limited to kube-system (no ResourceQuota configuration limits them).
  const critical = await call(cluster, 'POST', PODS, pod('critical', { priorityClassName: 'system-node-critical' }));
  t.is(critical.status, 201, critical.text);
  t.is(critical.body.spec.priority, 2000001000);

  // A priority equal to the computed one is accepted.
  const agreeing = await call(cluster, 'POST', PODS, pod('agreeing', { priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' }));
  t.is(agreeing.status, 201, agreeing.text);
});

test.serial('a pod naming a missing class, or setting its own priority or preemption policy, is refused as kube refuses it', async (t) => {
  const missing = await call(cluster, 'POST', PODS, pod('missing', { priorityClassName: 'nope' }));
  t.is(missing.status, 403, missing.text);
  t.like(missing.body, { reason: 'Forbidden', message: 'pods "missing" is forbidden: no PriorityClass with name nope was found', details: { name: 'missing', kind: 'pods' } });
  const generated = await call(cluster, 'POST', PODS, pod('', { priorityClassName: 'nope' }, { generateName: 'web-' }));
  t.is(generated.status, 403, generated.text);
  t.is(generated.body.message, 'pods "web-" is forbidden: no PriorityClass with name nope was found');

  const ownPriority = await call(cluster, 'POST', PODS, pod('own', { priorityClassName: 'high', priority: 7 }));
  t.is(ownPriority.status, 403, ownPriority.text);
  t.is(ownPriority.body.message, 'pods "own" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  const ownPolicy = await call(cluster, 'POST', PODS, pod('own', { priorityClassName: 'zero', preemptionPolicy: 'PreemptLowerPriority' }));
  t.is(ownPolicy.status, 403, ownPolicy.text);
  t.is(ownPolicy.body.message, 'pods "own" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name');
  t.is((await call(cluster, 'GET', `${PODS}/own`)).status, 404);
});

test.serial('a pod\'s priority stays: an update may leave it out but not change it', async (t) => {
  const current = (await call(cluster, 'GET', `${PODS}/unnamed`)).body;
  const { priority: _p, preemptionPolicy: _pp, ...specWithout } = current.spec;
  const replaced = await call(cluster, 'PUT', `${PODS}/unnamed`, { ...current, metadata: { ...current.metadata, labels: { edited: 'yes' } }, spec: specWithout });
  t.is(replaced.status, 200, replaced.text);
  t.like(replaced.body, { metadata: { labels: { edited: 'yes' } }, spec: { priority: 1000, preemptionPolicy: 'PreemptLowerPriority' } });
  const changed = await call(cluster, 'PATCH', `${PODS}/unnamed`, { spec: { priority: 5 } }, MERGE);
  t.is(changed.status, 422, changed.text);
  t.regex(changed.body.message, /spec: Forbidden: pod updates may not change fields other than/);
});

test.serial('without a global default, a pod without a class gets priority 0 and no class name', async (t) => {
  t.is((await call(cluster, 'PATCH', `${CLASSES}/high`, { globalDefault: false }, MERGE)).status, 200);
  // Admission reads classes from a watch-fed cache, as kube's lister does: wait until it has seen the change.
  await eventually('admission to see no global default', async () =>
    (await call(cluster, 'POST', `${PODS}?dryRun=All`, pod('probe'))).body.spec?.priority === 0);
  const plain = await call(cluster, 'POST', PODS, pod('plain', { priorityClassName: '' }));
  t.is(plain.status, 201, plain.text);
  t.is(plain.body.spec.priority, 0);
  t.is(plain.body.spec.preemptionPolicy, 'PreemptLowerPriority');
  t.false('priorityClassName' in plain.body.spec);
  const ownPolicy = await call(cluster, 'POST', PODS, pod('plain-never', { preemptionPolicy: 'Never' }));
  t.is(ownPolicy.status, 403, ownPolicy.text);
  t.is(ownPolicy.body.message, 'pods "plain-never" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
  // Now another class may become the default, and a user class may be deleted.
  t.is((await call(cluster, 'PATCH', `${CLASSES}/zero`, { globalDefault: true }, MERGE)).status, 200);
  const deleted = await call(cluster, 'DELETE', `${CLASSES}/zero`);
  t.is(deleted.status, 200, deleted.text);
  t.like(deleted.body, { kind: 'Status', status: 'Success', details: { name: 'zero', group: 'scheduling.k8s.io', kind: 'priorityclasses' } });
});

test.serial('a Deployment\'s pods get the priority of the class its template names; a missing class shows in the ReplicaSet\'s events', async (t) => {
  const deployment = (name: string, className: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      priorityClassName: ${className}
      containers: [{name: c, image: nginx}]
`;
  await kubectlOk(cluster, ['apply', '-f', '-'], deployment('important', 'high'));
  const pods = await eventually('the deployment\'s pods', async () => {
    const items = (await call(cluster, 'GET', `${PODS}?labelSelector=app%3Dimportant`)).body.items;
    return items?.length === 2 && items;
  });
  for (const p of pods) t.like(p.spec, { priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });

  await kubectlOk(cluster, ['apply', '-f', '-'], deployment('lost', 'nope'));
  const failure = await eventually('a FailedCreate event', async () => {
    const events = (await call(cluster, 'GET', '/api/v1/namespaces/default/events')).body.items ?? [];
    return events.find((e: any) => e.reason === 'FailedCreate' && e.involvedObject?.kind === 'ReplicaSet' && e.involvedObject.name.startsWith('lost-'));
  });
  t.regex(failure.message, /^Error creating: pods "lost-[a-z0-9]+-" is forbidden: no PriorityClass with name nope was found$/);
});
