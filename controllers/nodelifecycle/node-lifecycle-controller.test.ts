// The node lifecycle controller's passes against fakes: the client answers
// from (and writes taints into) the nodes cache, so each pass can be driven
// by hand and what it wrote counted.
import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { Informer } from '../../client/informer.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { CONTROLLER_MANAGER_DEFAULTS } from '../controller.js';
import { LABEL_NODE_EXCLUDE_DISRUPTION, NAMESPACE_NODE_LEASE, TAINT_NODE_NOT_READY } from '../../api/well-known.js';
import { POD_NODE_NAME_INDEX, podNodeName } from '../pods-by-node.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';
import { rfc3339 } from '../../api/time.js';

type Json = Record<string, any>;

const MONITOR = 'monitor-node-health';
const TAINTING = 'no-execute-tainting';

const stamp = (ms = Date.now()) => rfc3339(ms);

function node(name: string, zone: string, ready: 'True' | 'False', opts: { excluded?: boolean; heartbeat?: string } = {}): AnyObject {
  const at = opts.heartbeat ?? stamp();
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name, uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: stamp(Date.now() - 3_600_000),
      labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': zone, ...(opts.excluded ? { [LABEL_NODE_EXCLUDE_DISRUPTION]: '' } : {}) },
    },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'Test', lastHeartbeatTime: at, lastTransitionTime: at }] },
  };
}

/** A client for the controller's own writes: taint patches land in the nodes cache; `onUpdateStatus` and `onGet` may step in. */
class FakeClient {
  readonly taintPatches: { node: string; taints: Json[] }[] = [];
  onUpdateStatus?: (node: AnyObject) => void;
  onGet?: (name: string) => AnyObject | undefined;

  constructor(private readonly nodes: Informer) {}

  async get(_ref: ResourceRef, name: string): Promise<AnyObject> {
    const found = this.onGet?.(name) ?? this.nodes.store.get(name);
    if (!found) throw new ApiError({ code: 404, reason: 'NotFound', message: `nodes "${name}" not found` });
    return structuredClone(found);
  }

  async updateStatus(_ref: ResourceRef, obj: AnyObject): Promise<AnyObject> {
    this.onUpdateStatus?.(obj);
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(Number(obj.metadata.resourceVersion ?? 0) + 1) } };
  }

  async patch(_ref: ResourceRef, name: string, _type: string, body: Json): Promise<AnyObject> {
    const current = this.nodes.store.get(name)!;
    const taints: Json[] = body.spec?.taints ?? [];
    this.taintPatches.push({ node: name, taints });
    const updated = { ...current, metadata: { ...current.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) + 1) }, spec: { ...current.spec, taints } };
    this.nodes.store.set(updated);
    return updated;
  }

  /** Patches that put the not-ready NoExecute taint on `node` (or on any node). */
  notReadyTaintings(node?: string): number {
    return this.taintPatches.filter((p) => (!node || p.node === node) && p.taints.some((t) => t.key === TAINT_NODE_NOT_READY && t.effect === 'NoExecute')).length;
  }
}

function setup(opts: Partial<typeof CONTROLLER_MANAGER_DEFAULTS> = {}, recorder: Partial<EventRecorder> = { event() {} }) {
  // The informers are never started: the test fills their caches.
  const nobody = {} as RestClient;
  const nodes = new Informer(nobody, NODES);
  const pods = new Informer(nobody, PODS, { indexers: { [POD_NODE_NAME_INDEX]: podNodeName } });
  const leases = new Informer(nobody, LEASES, { namespace: NAMESPACE_NODE_LEASE });
  const client = new FakeClient(nodes);
  const controller = new NodeLifecycleController(client as unknown as RestClient, recorder as EventRecorder, nodes, pods, leases, { ...CONTROLLER_MANAGER_DEFAULTS, ...opts });
  const pass = async () => {
    await controller.reconcileMonitor(MONITOR);
    await controller.reconcileMonitor(TAINTING);
  };
  return { nodes, leases, client, controller, pass };
}

test('a zone whose nodes are all excluded from disruption keeps its queue, so its nodes are tainted no faster than --node-eviction-rate', async (t) => {
  const { nodes, client, pass } = setup({ nodeEvictionRate: 0.1 });
  for (const name of ['x1', 'x2', 'x3']) nodes.store.set(node(name, 'a', 'False', { excluded: true }));
  nodes.store.set(node('healthy', 'b', 'True'));
  for (let i = 0; i < 4; i++) await pass();
  t.is(client.notReadyTaintings(), 1, 'one node per 10 s, whatever the number of health passes meanwhile');
});

test('a node read afresh during a health retry in a zone not seen yet is queued there, and the pass goes on', async (t) => {
  const { nodes, leases, client, pass } = setup({ nodeMonitorGracePeriodMs: 1, nodeStartupGracePeriodMs: 1 });
  nodes.store.set(node('moving', 'a', 'False', { heartbeat: stamp(Date.now() - 60_000) }));
  nodes.store.set(node('healthy', 'c', 'True'));
  const renewLease = () => leases.store.set({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: 'healthy', namespace: NAMESPACE_NODE_LEASE, uid: 'lease-healthy', resourceVersion: String(Date.now()) },
    spec: { holderIdentity: 'healthy', renewTime: new Date().toISOString() },
  });
  renewLease();
  await pass();
  t.is(client.notReadyTaintings('moving'), 1, 'tainted in its first zone');

  // Its status write conflicts; read again, the node is in zone b, which the cache does not know yet.
  let writes = 0;
  client.onUpdateStatus = (n) => {
    if (n.metadata.name === 'moving' && writes++ === 0) throw new ApiError({ code: 409, reason: 'Conflict', message: 'the object has been modified' });
  };
  client.onGet = (name) => {
    const cached = nodes.store.get(name)!;
    return name === 'moving' ? { ...cached, metadata: { ...cached.metadata, labels: { ...cached.metadata.labels, 'topology.kubernetes.io/zone': 'b' } } } : cached;
  };
  await delay(5);
  renewLease();
  await pass();
  t.is(writes, 2, 'written again after the conflict');
  t.is(client.notReadyTaintings('moving'), 2, 'queued and tainted in its new zone');
});

test('a failing health pass is retried after the monitor period, not after the queue\'s growing backoff', async (t) => {
  const { nodes, controller } = setup({ nodeMonitorPeriodMs: 5000 }, {
    event() {
      throw new Error('event sink down');
    },
  });
  nodes.store.set(node('n', 'a', 'True'));
  t.deepEqual(await controller.reconcileMonitor(MONITOR), { requeueAfter: 5000 });
});
