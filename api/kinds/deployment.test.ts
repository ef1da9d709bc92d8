import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { checkStructure } from '../validation/structural.js';
import { deployment } from './deployment.js';

const template = (labels: Record<string, string> = { app: 'web' }, spec: KObject = { containers: [{ name: 'web', image: 'nginx' }] }) => ({ metadata: { labels }, spec });

const make = (spec: KObject): KObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', creationTimestamp: new Date(Date.now() - 3 * 3600_000).toISOString() }, spec,
});

function create(spec: KObject): { d: KObject; causes: Cause[] } {
  const d = make(structuredClone(spec));
  deployment.prepareForCreate!(d);
  deployment.defaults!(d);
  return { d, causes: deployment.validate!(d) };
}

const cell = (d: KObject, column: string) => deployment.columns.find((c) => c.name === column)!.cell(d);
const messages = (causes: Cause[]) => causes.map((c) => c.message);

test('defaults: replicas, rolling update, history, deadline and the pod template', (t) => {
  const { d, causes } = create({ selector: { matchLabels: { app: 'web' } }, template: template() });
  t.deepEqual(causes, []);
  t.is(d.spec.replicas, 1);
  t.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.is(d.spec.revisionHistoryLimit, 10);
  t.is(d.spec.progressDeadlineSeconds, 600);
  t.deepEqual(d.spec.template.spec, {
    containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
  });
  t.deepEqual(d.status, {});
});

test('explicit values are kept; Recreate gets no rollingUpdate', (t) => {
  const { d, causes } = create({ replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'web' } }, template: template() });
  t.deepEqual(causes, []);
  t.is(d.spec.replicas, 0);
  t.is(d.spec.revisionHistoryLimit, 0);
  t.deepEqual(d.spec.strategy, { type: 'Recreate' });
});

test('the selector is required, non-empty and must match the template labels', (t) => {
  t.deepEqual(messages(create({ template: template() }).causes), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
  ]);
  t.deepEqual(messages(create({ selector: {}, template: template() }).causes), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  t.deepEqual(messages(create({ selector: { matchLabels: { app: 'api' } }, template: template() }).causes),
    ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  t.deepEqual(create({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, template: template() }).causes, []);
  t.deepEqual(messages(create({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template: template() }).causes),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}: invalid label selector',
    ]);
});

test('replicas, template restart policy and strategy values', (t) => {
  const { causes } = create({
    replicas: -1, selector: { matchLabels: { app: 'web' } },
    template: template({ app: 'web' }, { containers: [{ name: 'web', image: 'nginx' }], restartPolicy: 'Never', activeDeadlineSeconds: 10 }),
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } },
  });
  t.deepEqual(messages(causes), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  t.deepEqual(messages(create({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'BlueGreen' } }).causes),
    ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']);
  t.deepEqual(messages(create({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10' } } }).causes),
    ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "10": must be an integer or percentage (e.g \'5%\')']);
  t.deepEqual(messages(create({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'Recreate', rollingUpdate: {} } }).causes),
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
});

test('template pod spec errors carry the template path', (t) => {
  const { causes } = create({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { containers: [{ name: 'web' }] }) });
  t.deepEqual(messages(causes), ['spec.template.spec.containers[0].image: Required value']);
  const none = create({ selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } });
  t.deepEqual(messages(none.causes), ['spec.template.spec.containers: Required value']);
});

test('the selector is immutable on update; replicas and template may change', (t) => {
  const { d: old } = create({ selector: { matchLabels: { app: 'web' } }, template: template() });
  const scaled = structuredClone(old);
  scaled.spec.replicas = 5;
  scaled.spec.template.spec.containers[0].image = 'nginx:1.28';
  deployment.defaults!(scaled);
  t.deepEqual(deployment.validate!(scaled, old), []);
  const moved = structuredClone(old);
  moved.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
  moved.spec.template.metadata.labels.tier = 'front';
  t.deepEqual(messages(deployment.validate!(moved, old)), ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable']);
});

test('columns as kubectl prints deployments', (t) => {
  const { d } = create({ replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'dev'] }] }, template: template({ app: 'web', env: 'test' }, { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit' }] }) });
  d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  t.deepEqual(deployment.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1],
  ]);
  t.deepEqual(deployment.columns.map((c) => c.cell(d)), ['web', '2/3', 3, 2, '3h', 'web,log', 'nginx:1.27,fluent-bit', 'app=web,env notin (dev,prod)']);
  const fresh = create({ selector: { matchLabels: { app: 'web' } }, template: template() }).d;
  t.is(cell(fresh, 'Ready'), '0/1');
  t.is(cell(fresh, 'Up-to-date'), 0);
});

test('declaration: scale subresource, generation, schema', (t) => {
  t.deepEqual(deployment.shortNames, ['deploy']);
  t.true(deployment.hasGeneration);
  t.deepEqual(deployment.subresources?.scale?.specReplicasPath, ['spec', 'replicas']);
  t.deepEqual(deployment.subresources?.scale?.statusReplicasPath, ['status', 'replicas']);
  const spec = deployment.schema.properties!.spec;
  t.is(spec.properties!.template.definition, 'io.k8s.api.core.v1.PodTemplateSpec');
  t.is(spec.properties!.selector.definition, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  const d = make({ replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } }, minReadySeconds: 5, paused: false });
  d.status = { observedGeneration: 1, replicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: new Date().toISOString(), reason: 'MinimumReplicasAvailable' }] };
  t.deepEqual(checkStructure(d, deployment.schema), { typeErrors: [], unknownFields: [] });
});

test('an update leaves a template\'s stored scheduling constraints alone, but a new bad one is refused', (t) => {
  const badAffinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 500, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] } };
  const spec = { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { containers: [{ name: 'web', image: 'nginx' }], affinity: badAffinity }) };
  const stored = make(structuredClone(spec));
  deployment.defaults!(stored);
  const statusWrite = structuredClone(stored);
  statusWrite.status = { observedGeneration: 1 };
  t.deepEqual(messages(deployment.validate!(statusWrite, stored)), [], 'an object stored before the check stays writable');
  const fresh = make({ selector: { matchLabels: { app: 'web' } }, template: template() });
  deployment.defaults!(fresh);
  t.true(messages(deployment.validate!(statusWrite, fresh)).some((m) => /must be in the range 1-100/.test(m)), 'a template that gains it is refused');
});
