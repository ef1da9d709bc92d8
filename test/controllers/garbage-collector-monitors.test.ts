import test from 'ava';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import { CONFIG_MAPS, NAMESPACES, SECRETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { SharedInformers } from '../../client/shared-informers.js';
import { CONTROLLER_MANAGER_DEFAULTS, type ControllerContext } from '../../controllers/controller.js';
import { garbageCollectorController } from '../../controllers/garbagecollector/garbage-collector-controller.js';
import { GraphBuilder } from '../../controllers/garbagecollector/graph-builder.js';
import type { DiscoveredResource } from '../../client/discovery.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

// The garbage collector's monitors against a real API server: which
// informers it holds as discovery changes, and what its graph keeps.
let cluster: TestCluster;
let client: RestClient;
const NS = 'gc-monitors';

test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const verbs = ['create', 'delete', 'get', 'list', 'watch'];
const configMapsResource: DiscoveredResource = { ref: CONFIG_MAPS, apiVersion: 'v1', kind: 'ConfigMap', verbs };
const secretsResource: DiscoveredResource = { ref: SECRETS, apiVersion: 'v1', kind: 'Secret', verbs };
const noEvents = { event() {} } as unknown as EventRecorder;

/** Whether a started informer was stopped since: start() says which it is. */
const stopped = (informer: { start(): void }): boolean => {
  try {
    informer.start();
  } catch (err) {
    return /already stopped/.test((err as Error).message);
  }
  throw new Error('the informer had not been started');
};

async function drain(graph: GraphBuilder): Promise<void> {
  while (graph.graphChanges.length) {
    const event = (await graph.graphChanges.get())!;
    graph.processGraphChange(event);
    graph.graphChanges.done(event);
  }
}

test.serial('a shared informer runs while anyone holds it and stops at the last release; for() then makes a new one', async (t) => {
  const informers = new SharedInformers(client);
  t.teardown(() => informers.stop());
  const scope = { namespace: NS };
  const first = informers.for(CONFIG_MAPS, scope);
  t.is(informers.for(CONFIG_MAPS, scope), first);
  informers.start();
  await informers.waitForSync();

  await informers.release(CONFIG_MAPS, scope);
  const cm = await client.create<AnyObject>(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'still-watched', namespace: NS } });
  await eventually('the informer still held to see the new ConfigMap', async () => first.store.has(`${NS}/${cm.metadata.name}`));

  await informers.release(CONFIG_MAPS, scope);
  t.true(stopped(first));
  const next = informers.for(CONFIG_MAPS, scope);
  t.not(next, first);
  await next.waitForSync();
  t.true(next.store.has(`${NS}/${cm.metadata.name}`), 'the new informer lists afresh');
});

test.serial('a resource that leaves discovery: its informer stops, its objects leave the graph, an owner with dependents stays as a virtual node', async (t) => {
  const informers = new SharedInformers(client);
  t.teardown(() => informers.stop());
  const graph = new GraphBuilder(informers, noEvents);
  const owner = await client.create<AnyObject>(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: NS } });
  const lone = await client.create<AnyObject>(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lone', namespace: NS } });
  const dependent = await client.create<AnyObject>(SECRETS, {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: 'dependent', namespace: NS, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }] },
  });
  await graph.syncMonitors([configMapsResource, secretsResource]);
  const configMaps = informers.for(CONFIG_MAPS);
  await informers.release(CONFIG_MAPS);
  informers.start();
  await informers.waitForSync();
  await drain(graph);
  t.false(graph.nodes.get(owner.metadata.uid!)!.virtual);
  t.true(graph.nodes.has(lone.metadata.uid!));

  await graph.syncMonitors([secretsResource]);
  t.true(stopped(configMaps), 'nobody else held the ConfigMap informer');
  await drain(graph);
  t.false(graph.nodes.has(lone.metadata.uid!), 'a ConfigMap without dependents left the graph');
  const ownerNode = graph.nodes.get(owner.metadata.uid!)!;
  t.true(ownerNode.virtual, 'the owner is known only from its dependent\'s reference now');
  t.deepEqual([...ownerNode.dependents].map((d) => d.identity.uid), [dependent.metadata.uid]);
  t.true(graph.attemptToDelete.length > 0, 'and goes to the collector to be looked up');
  t.false(stopped(informers.for(SECRETS)), 'the Secrets are still watched');
});

test('a failing discovery is read again after the discovery period, not after the queue\'s growing backoff', async (t) => {
  const failing = { request: async () => { throw new Error('discovery is down'); } } as unknown as RestClient;
  const ctx = {
    client: failing, informers: new SharedInformers(failing), options: CONTROLLER_MANAGER_DEFAULTS, recorder: () => noEvents,
  } as unknown as ControllerContext;
  const controllers = await garbageCollectorController.create(ctx);
  const discovery = controllers.find((c) => c.name === 'garbage_collector_discovery')!;
  t.deepEqual(await discovery.reconcile('discovery'), { requeueAfter: 30_000 });
  t.deepEqual(await discovery.reconcile('discovery'), { requeueAfter: 30_000 });
});
