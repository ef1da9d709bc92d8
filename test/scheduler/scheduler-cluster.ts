import type { AnyObject } from '../../client/resource.js';
import { EVENTS, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { eventually } from '../helpers/eventually.js';
import { nodeObject, type NodeShape } from './fixtures.js';

export interface SchedulerCluster {
  cluster: TestCluster;
  admin: RestClient;
  scheduler: RunningScheduler;
  stop(): Promise<void>;
}

/** A real API server and etcd with the scheduler running against them, and these controllers (none by default). */
export async function startSchedulerCluster(controllers: string[] = []): Promise<SchedulerCluster> {
  const cluster = await startCluster({}, controllers.length ? { controllers: { controllers } } : {});
  const admin = adminClient(cluster);
  const scheduler = await startScheduler(cluster);
  return {
    cluster, admin, scheduler,
    async stop() {
      await scheduler.stop();
      admin.close();
      await cluster.stop();
    },
  };
}

export async function createNode(admin: RestClient, name: string, shape: NodeShape = {}): Promise<AnyObject> {
  const node = nodeObject(name, shape);
  delete node.metadata.uid;
  return admin.create(NODES, node);
}

/** Creates the pod (the uid is the server's). */
export async function createPod(admin: RestClient, pod: AnyObject): Promise<AnyObject> {
  const body = structuredClone(pod);
  delete body.metadata.uid;
  return admin.create(PODS, body);
}

/** The node the pod gets bound to. */
export function boundNode(admin: RestClient, name: string, namespace = 'default', timeoutMs = 20_000): Promise<string> {
  return eventually(`pod ${namespace}/${name} to be bound`, async () => {
    const pod = await admin.get(PODS, name, { namespace });
    return pod.spec?.nodeName || undefined;
  }, timeoutMs);
}

/** The events about one object, with a reason. */
export async function eventsFor(admin: RestClient, name: string, reason: string, namespace = 'default'): Promise<AnyObject[]> {
  const list = await admin.list(EVENTS, { namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items.filter((e) => e.reason === reason);
}

/** Waits for a FailedScheduling event with exactly this message. */
export function failedScheduling(admin: RestClient, name: string, message: string, namespace = 'default'): Promise<AnyObject> {
  return eventually(`FailedScheduling for ${name}: ${message}`, async () => {
    const events = await eventsFor(admin, name, 'FailedScheduling', namespace);
    const found = events.find((e) => e.message === message);
    if (!found && events.length) throw new Error(`saw: ${events.map((e) => e.message).join(' | ')}`);
    return found;
  });
}
