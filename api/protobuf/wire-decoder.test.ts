import test from 'ava';
import { StatusError } from '../status.js';
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
