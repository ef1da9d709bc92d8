import test from 'ava';
import { auditEvent, sourceIPs, type AuditInput } from './event.js';
import { shouldAudit } from './policy.js';

const received = Date.UTC(2024, 0, 2, 3, 4, 5, 678) + 0.901;
const req = (headers: Record<string, string> = {}, remoteAddress = '10.0.0.9') =>
  ({ url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl', headers: { 'user-agent': 'kubectl/v1.32.0', ...headers }, socket: { remoteAddress } });


test('the policy logs mutations and denials, and nothing else', (t) => {
  for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
    t.true(shouldAudit(verb, 200), verb);
    t.true(shouldAudit(verb, 409), `${verb} that failed`);
  }
  for (const verb of ['get', 'list', 'watch']) {
    t.false(shouldAudit(verb, 200), verb);
    t.false(shouldAudit(verb, 404), `${verb} 404`);
    t.true(shouldAudit(verb, 403), `${verb} 403`);
    t.true(shouldAudit(verb, 401), `${verb} 401`);
  }
  t.false(shouldAudit('post', 500));
  t.true(shouldAudit('get', 401), 'a non-resource request without credentials');
});

test('source IPs: forwarded chain, then X-Real-Ip, then the peer; IPv4-mapped peers unmapped', (t) => {
  t.deepEqual(sourceIPs(req()), ['10.0.0.9']);
  t.deepEqual(sourceIPs(req({}, '::ffff:127.0.0.1')), ['127.0.0.1']);
  t.deepEqual(sourceIPs(req({ 'x-forwarded-for': '1.2.3.4, junk, 5.6.7.8', 'x-real-ip': '9.9.9.9' })), ['1.2.3.4', '5.6.7.8', '9.9.9.9', '10.0.0.9']);
  t.deepEqual(sourceIPs(req({ 'x-forwarded-for': '1.2.3.4, 10.0.0.9' })), ['1.2.3.4', '10.0.0.9'], 'the peer is not repeated');
  t.deepEqual(sourceIPs(req({ 'x-real-ip': '1.2.3.4', 'x-forwarded-for': '1.2.3.4' })), ['1.2.3.4', '10.0.0.9']);
});

test('an event carries the request, user, object and outcome, and omits empty fields', (t) => {
  const input: AuditInput = {
    req: req(), receivedAt: received, verb: 'create',
    user: { name: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'] },
    apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', namespace: 'default', name: '',
    code: 201, reason: 'ignored', message: 'ignored on success',
    decision: 'allow', decisionReason: 'RBAC: allowed by RoleBinding "dev/default"', auditID: 'fixed-id',
  };
  const event = auditEvent(input, received + 2.5);
  t.deepEqual(JSON.parse(JSON.stringify(event)), {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'fixed-id',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/secrets?fieldManager=kubectl',
    verb: 'create',
    user: { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'] },
    sourceIPs: ['10.0.0.9'],
    userAgent: 'kubectl/v1.32.0',
    objectRef: { resource: 'secrets', namespace: 'default', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2024-01-02T03:04:05.678901Z',
    stageTimestamp: '2024-01-02T03:04:05.681401Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "dev/default"' },
  });
});

test('a failure records its Status; an unauthenticated request has an empty user and no object', (t) => {
  const event = JSON.parse(JSON.stringify(auditEvent({ req: { url: '/api', headers: {}, socket: {} }, receivedAt: new Date(), verb: 'get', code: 401, reason: 'Unauthorized', message: 'Unauthorized' })));
  t.deepEqual(event.user, {});
  t.deepEqual(event.sourceIPs, []);
  t.is(event.objectRef, undefined);
  t.is(event.userAgent, undefined);
  t.is(event.annotations, undefined);
  t.deepEqual(event.responseStatus, { metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  t.regex(event.auditID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the stage timestamp never precedes the request', (t) => {
  const event = auditEvent({ req: req(), receivedAt: received, verb: 'delete', code: 200 }, received - 5);
  t.is(event.stageTimestamp, event.requestReceivedTimestamp);
});
