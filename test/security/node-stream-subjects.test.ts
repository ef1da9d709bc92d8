import test from 'ava';
import type { NatsConnection } from 'nats';
import { nodeNatsUser, nodeToken, sessionInputSubject, sessionOutputSubject, streamRequestSubject } from '../../control-plane/nats/node-subjects.js';
import { connectAs, nextViolation, startNats, type NatsProcess } from '../helpers/nats.js';

const A = 'ip-10-0-0-4.ec2.internal';
const B = 'ip-10-0-16-4.ec2.internal';
let nats: NatsProcess;
const open: NatsConnection[] = [];

test.before(async () => {
  nats = await startNats({
    users: [{ user: 'control-plane', publish: ['skiff.>'], subscribe: ['skiff.>'] }, nodeNatsUser(A, 'a'.repeat(43)), nodeNatsUser(B, 'b'.repeat(43))],
  });
});
test.after.always(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await nats?.stop();
});

const as = (user: string): Promise<NatsConnection> => connectAs(nats, user, open);


test('node names become reversible NATS tokens; anything that is not a node name is refused', (t) => {
  t.is(nodeToken(A), 'ip-10-0-0-4_ec2_internal');
  t.is(streamRequestSubject(A, 'exec'), 'skiff.node.ip-10-0-0-4_ec2_internal.exec');
  t.is(sessionInputSubject(A, 's1'), 'skiff.node.ip-10-0-0-4_ec2_internal.session.s1');
  t.is(sessionOutputSubject(A, 's1'), 'skiff.stream.ip-10-0-0-4_ec2_internal.s1');
  t.throws(() => nodeToken('a.>'), { message: /is not a DNS subdomain/ });
  t.throws(() => nodeToken('Upper'), { message: /is not a DNS subdomain/ });
});

test('a node receives the requests for its own streams only, and answers only in its own streams', async (t) => {
  const [cp, a, b] = [await as('control-plane'), await as(nodeNatsUser(A, '').user), await as(nodeNatsUser(B, '').user)];
  const received: string[] = [];
  a.subscribe(`skiff.node.${nodeToken(A)}.>`, { callback: (_e, m) => received.push(m.subject) });
  await a.flush();
  cp.publish(streamRequestSubject(A, 'logs'), '{}');
  await cp.flush();
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(received, [streamRequestSubject(A, 'logs')]);

  const refusedSub = nextViolation(b);
  b.subscribe(`skiff.node.${nodeToken(A)}.>`);
  t.like(await refusedSub, { operation: 'subscription', subject: `skiff.node.${nodeToken(A)}.>` });

  const refusedPub = nextViolation(b);
  b.publish(sessionOutputSubject(A, 'stolen'), 'forged output');
  t.like(await refusedPub, { operation: 'publish', subject: sessionOutputSubject(A, 'stolen') });

  const refusedRequest = nextViolation(a);
  a.publish(streamRequestSubject(B, 'exec'), '{}');
  t.like(await refusedRequest, { operation: 'publish', subject: streamRequestSubject(B, 'exec') });
});
