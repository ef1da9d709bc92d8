import test from 'ava';
import { StatusError } from '../status.js';
import { kubectlBodies } from './kubectl-bodies.js';
import { decodeProtobufObject } from './wire-decoder.js';

const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
const field = (no: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
};
const int = (no: number, n: number): Buffer => Buffer.concat([varint(no << 3), varint(n)]);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from('k8s\0'), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw)]);

test('a Namespace as kubectl sends it: envelope, metadata, labels map', (t) => {
  const meta = Buffer.concat([field(1, 'team'), field(11, Buffer.concat([field(1, 'env'), field(2, 'prod')])), field(2, '')]);
  const obj = decodeProtobufObject(envelope('v1', 'Namespace', Buffer.concat([field(1, meta), field(2, Buffer.alloc(0)), field(3, Buffer.alloc(0))])));
  t.is(obj.apiVersion, 'v1');
  t.is(obj.kind, 'Namespace');
  t.deepEqual(obj.metadata, { name: 'team', labels: { env: 'prod' } }, 'empty strings are dropped as JSON omits them');
});

test('a Deployment with replicas, selector, template and an IntOrString-free container', (t) => {
  const container = Buffer.concat([field(1, 'web'), field(2, 'nginx:1.25'), field(6, int(3, 80))]);
  const podSpec = field(2, container);
  const template = Buffer.concat([field(1, field(11, Buffer.concat([field(1, 'app'), field(2, 'web')]))), field(2, podSpec)]);
  const selector = field(1, Buffer.concat([field(1, 'app'), field(2, 'web')]));
  const spec = Buffer.concat([int(1, 3), field(2, selector), field(3, template)]);
  const obj = decodeProtobufObject(envelope('apps/v1', 'Deployment', Buffer.concat([field(1, field(1, 'web')), field(2, spec)])));
  t.is(obj.kind, 'Deployment');
  const s = obj.spec as any;
  t.is(s.replicas, 3);
  t.deepEqual(s.selector.matchLabels, { app: 'web' });
  t.is(s.template.spec.containers[0].image, 'nginx:1.25');
  t.is(s.template.spec.containers[0].ports[0].containerPort, 80);
});

test('bad protobuf is a 400, never a crash', (t) => {
  const bad = (body: Buffer) => {
    const err = t.throws(() => decodeProtobufObject(body));
    t.true(err instanceof StatusError);
    t.is((err as StatusError).code, 400);
  };
  bad(Buffer.from('not protobuf'));
  bad(envelope('v1', 'Widget', Buffer.alloc(0)));
  bad(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x7f])]));
  bad(envelope('v1', 'Namespace', field(99, 'x')));
});

test('a SelfSubjectAccessReview as `kubectl auth can-i` sends it', (t) => {
  const attrs = Buffer.concat([field(1, 'default'), field(2, 'list'), field(3, ''), field(5, 'pods')]);
  const obj = decodeProtobufObject(envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attrs)), field(3, Buffer.alloc(0))])));
  t.is(obj.kind, 'SelfSubjectAccessReview');
  t.deepEqual(obj.spec, { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } });
});

test('a SubjectAccessReview\'s extra values decode to bare string lists', (t) => {
  const entry = Buffer.concat([field(1, 'scopes'), field(2, Buffer.concat([field(1, 'a'), field(1, 'b')]))]);
  const spec = Buffer.concat([field(2, Buffer.concat([field(1, '/healthz'), field(2, 'get')])), field(3, 'alice'), field(4, 'devs'), field(5, entry)]);
  const obj = decodeProtobufObject(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', field(2, spec)));
  t.deepEqual(obj.spec, { nonResourceAttributes: { path: '/healthz', verb: 'get' }, user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] } });
});

test('a RoleBinding as `kubectl create rolebinding` sends it', (t) => {
  const subject = Buffer.concat([field(1, 'ServiceAccount'), field(3, 'builder'), field(4, 'ci')]);
  const roleRef = Buffer.concat([field(1, 'rbac.authorization.k8s.io'), field(2, 'ClusterRole'), field(3, 'edit')]);
  const obj = decodeProtobufObject(envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', Buffer.concat([field(1, field(1, 'builder-edit')), field(2, subject), field(3, roleRef)])));
  t.deepEqual(obj, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'builder-edit' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
  });
});

const empty = Buffer.alloc(0);
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const when = (seconds: number) => int(1, seconds);

test('kubectl\'s create bodies decode to the JSON kubectl writes for the same objects (Go\'s encoding of the struct)', (t) => {
  for (const { command, protobuf, json } of kubectlBodies) {
    t.deepEqual(decodeProtobufObject(Buffer.from(protobuf, 'base64')), json, command);
  }
});

test('Go zero values: dropped for omitempty fields, kept for pointers and fields without omitempty', (t) => {
  // As a Go client sends a ReplicaSet: every non-pointer scalar, zero or not, and the set pointers.
  const port = msg(field(1, ''), int(2, 0), int(3, 0), field(4, ''), field(5, ''));
  const securityContext = msg(int(2, 0), int(4, 0), int(5, 0));
  const container = msg(field(1, 'c'), field(2, 'busybox'), field(6, port), field(8, empty), field(13, ''), field(15, securityContext), int(16, 0), int(17, 0), int(18, 0));
  const podSpec = msg(field(2, container), field(3, ''), int(4, 0), field(6, ''), int(11, 0), int(12, 0), int(13, 0), field(14, empty), field(19, ''));
  const templateMeta = msg(field(1, ''), field(2, ''), field(5, ''), int(7, 0), field(8, empty));
  const spec = msg(int(1, 0), field(3, msg(field(1, templateMeta), field(2, podSpec))), int(4, 0));
  const condition = msg(field(1, 'ReplicaFailure'), field(2, ''), field(3, when(1700000000)), field(4, ''), field(5, ''));
  const status = msg(int(1, 0), int(2, 0), int(3, 0), int(4, 0), int(5, 0), field(6, condition));
  const obj = decodeProtobufObject(envelope('apps/v1', 'ReplicaSet', msg(field(1, msg(field(1, 'rs'), int(7, 0), field(8, empty))), field(2, spec), field(3, status))));
  t.deepEqual(obj, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'rs', creationTimestamp: null },
    spec: {
      replicas: 0,
      template: {
        metadata: { creationTimestamp: null },
        spec: {
          containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 0 }], resources: {}, securityContext: { privileged: false, runAsUser: 0, runAsNonRoot: false } }],
          terminationGracePeriodSeconds: 0,
          securityContext: {},
        },
      },
    },
    status: { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: '', lastTransitionTime: '2023-11-14T22:13:20Z' }] },
  });
});

test('a Service\'s zero pointers are kept, its zero omitempty scalars dropped', (t) => {
  const ports = msg(field(1, ''), field(2, ''), int(3, 0), field(4, msg(int(1, 0), int(2, 0), field(3, ''))), int(5, 0));
  const affinity = field(1, int(1, 0));
  const spec = msg(field(1, ports), field(3, ''), field(4, ''), field(7, ''), field(10, ''), int(12, 0), int(13, 0), field(14, affinity), field(17, ''), int(20, 0));
  const obj = decodeProtobufObject(envelope('v1', 'Service', msg(field(1, field(1, 'svc')), field(2, spec), field(3, field(1, empty)))));
  t.deepEqual(obj.spec, {
    ports: [{ port: 0, targetPort: 0 }],
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
    ipFamilyPolicy: '',
    allocateLoadBalancerNodePorts: false,
  });
  t.deepEqual(obj.status, { loadBalancer: {} });
});

test('DeleteOptions: a zero grace period and a false orphanDependents are pointers, so kept', (t) => {
  const obj = decodeProtobufObject(envelope('v1', 'DeleteOptions', msg(int(1, 0), int(3, 0))));
  t.deepEqual(obj, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, orphanDependents: false });
});
