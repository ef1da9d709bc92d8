import test from 'ava';
import { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import { CONFIG_MAPS, EVENTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: RestClient;
let owner: AnyObject;

test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  owner = await client.create(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'subject', namespace: 'default' } });
  owner = { ...owner, apiVersion: 'v1', kind: 'ConfigMap' };
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const eventsFor = async (reason: string) =>
  (await client.list(EVENTS, { namespace: 'default', fieldSelector: `reason=${reason}` })).items;

test.serial('an event names its object and source; a repeat raises the count of the same Event', async (t) => {
  const recorder = new EventRecorder(client, { component: 'test-controller', host: 'host-1' });
  recorder.event(owner, 'Normal', 'Tested', 'it happened');
  await eventually('the event', async () => (await eventsFor('Tested')).length === 1);
  recorder.event(owner, 'Normal', 'Tested', 'it happened');
  recorder.event(owner, 'Normal', 'Tested', 'it happened');
  await recorder.close();
  const [event] = await eventsFor('Tested');
  t.is(event.count, 3);
  t.is(event.involvedObject.kind, 'ConfigMap');
  t.is(event.involvedObject.uid, owner.metadata.uid);
  t.deepEqual(event.source, { component: 'test-controller', host: 'host-1' });
  t.regex(event.metadata.name!, /^subject\.[0-9a-f]+$/);
  t.true(Date.parse(event.lastTimestamp) >= Date.parse(event.firstTimestamp));
  const described = await kubectlOk(cluster, ['describe', 'configmap', 'subject', '-n', 'default']);
  t.regex(described, /Normal\s+Tested\s+\S+ \(x3 over \S+\)\s+test-controller\s+it happened/);
});

test.serial('different messages are different events', async (t) => {
  const recorder = new EventRecorder(client, { component: 'test-controller' });
  recorder.event(owner, 'Warning', 'Varied', 'one');
  recorder.event(owner, 'Warning', 'Varied', 'two');
  await recorder.close();
  const events = await eventsFor('Varied');
  t.deepEqual(events.map((e) => e.message).sort(), ['one', 'two']);
  t.true(events.every((e) => e.type === 'Warning' && e.count === 1));
});

test.serial('an object gets a burst of events, then no more until its budget refills', async (t) => {
  const recorder = new EventRecorder(client, { component: 'test-controller' }, { spamBurst: 3, spamRefillMs: 60_000 });
  for (let i = 0; i < 5; i++) recorder.event(owner, 'Normal', 'Spammy', `message ${i}`);
  await recorder.close();
  t.is((await eventsFor('Spammy')).length, 3);
  t.is(recorder.dropped, 2);
});

test.serial('a full queue drops events instead of blocking the caller', async (t) => {
  const recorder = new EventRecorder(client, { component: 'test-controller' }, { maxQueued: 2 });
  const others = Array.from({ length: 6 }, (_, i) => ({ ...owner, metadata: { ...owner.metadata, name: `other-${i}`, uid: `uid-${i}` } }));
  for (const o of others) recorder.event(o, 'Normal', 'Queued', 'x');
  await recorder.close();
  // The first is being written when the rest arrive; two more fit the queue.
  t.is((await eventsFor('Queued')).length, 3);
  t.is(recorder.dropped, 3);
});

test.serial('events are written no faster than the recorder\'s rate; the rest wait in the queue', async (t) => {
  const recorder = new EventRecorder(client, { component: 'test-controller' }, { qps: 0.01, writeBurst: 1 });
  const others = Array.from({ length: 3 }, (_, i) => ({ ...owner, metadata: { ...owner.metadata, name: `rated-${i}`, uid: `rated-${i}` } }));
  for (const o of others) recorder.event(o, 'Normal', 'Rated', 'x');
  await recorder.close(500);
  t.is((await eventsFor('Rated')).length, 1, 'one token: one write; the others were still waiting when the recorder closed');
});
