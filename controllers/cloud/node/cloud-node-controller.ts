import { nodeTaints, taintExists } from '../../../api/taints.js';
import {
  LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_INSTANCE_TYPE, LABEL_INSTANCE_TYPE_BETA, LABEL_TOPOLOGY_REGION,
  LABEL_TOPOLOGY_ZONE, TAINT_NODE_UNINITIALIZED,
} from '../../../api/well-known.js';
import { isConflict, isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import { logError } from '../../../client/log.js';
import { parallelize } from '../../../client/parallelize.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import type { WorkQueue } from '../../../client/workqueue.js';
import { Ec2Instances, instanceIdFromProviderId, providerIdOf, type Instance, type Instances } from '../../aws/instances.js';
import { workersFor } from '../../controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { InstanceBatch } from './instance-batch.js';
import { addressesChanged, nodeAddresses } from './node-addresses.js';
import { instancesOfNodes } from './node-instances.js';

const UPDATE_NODE_STATUS = 'update-node-status';
// kube's UpdateNodeSpecBackoff: attempts at the node write before the queue's backoff takes over.
const maxAttempts = 5;
// Initializations in flight at once: what the batch gathers into one DescribeInstances.
const defaultWorkers = 50;
// Address writes in flight at once during a refresh pass.
const statusWorkers = 10;

const UNINITIALIZED = { key: TAINT_NODE_UNINITIALIZED, effect: 'NoSchedule' };
const isUninitialized = (node: AnyObject): boolean => taintExists(nodeTaints(node), UNINITIALIZED);

/**
 * cloud-provider's cloud node controller: a node registered by an agent with
 * --cloud-provider=external carries the uninitialized taint until this
 * controller has given it its providerID, addresses and topology and
 * instance-type labels from its instance; then the taint comes off. Every
 * --node-status-update-frequency the addresses of initialized nodes follow
 * their instances (one batched lookup for all of them).
 */
export class CloudNodeController {
  private readonly batch: InstanceBatch;
  /** Nodes (by uid) this controller initialized whose untainted version the cache has not shown yet. */
  private readonly initialized = new Set<string>();

  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly nodes: Informer,
    private readonly instances: Instances,
    private readonly statusUpdateFrequencyMs: number,
    readonly queue: WorkQueue<string>,
    readonly statusQueue: WorkQueue<string>,
  ) {
    this.batch = new InstanceBatch(instances);
    const enqueue = (node: AnyObject) => {
      if (isUninitialized(node)) this.queue.add(node.metadata.name!);
      else this.initialized.delete(node.metadata.uid!);
    };
    nodes.addEventHandler({ onAdd: enqueue, onUpdate: (_old, node) => enqueue(node), onDelete: (node) => this.initialized.delete(node.metadata.uid!) });
    this.statusQueue.add(UPDATE_NODE_STATUS);
  }

  /** kube's syncNode: initializes one tainted node from its instance. */
  readonly reconcile = async (name: string): Promise<ReconcileResult> => {
    const cached = this.nodes.store.get(name);
    // A tainted node already initialized is the cache lagging behind the write (the address write's event comes first).
    if (!cached || !isUninitialized(cached) || this.initialized.has(cached.metadata.uid!)) return;
    const found = await this.batch.lookup(cached);
    if (!found) {
      const providerId = cached.spec?.providerID;
      throw new Error(`failed to initialize node ${name}: ${providerId ? `its providerID ${providerId} names no AWS instance` : `no instance has the private DNS name ${name}`}`);
    }
    if (found.gone) throw new Error(`failed to initialize node ${name}: its instance ${found.instance?.instanceId ?? cached.spec?.providerID} no longer exists`);
    const instance = found.instance;
    // Addresses first: the taint stays on until everything is written, so a crash in between is redone.
    let node = await this.writeAddresses(cached, instance);
    if (!node) return;
    for (let attempt = 1; ; attempt++) {
      // Marked before the write, so the untainted version's event (which unmarks it) always comes after.
      this.initialized.add(node.metadata.uid!);
      try {
        await this.client.patch(NODES, name, 'merge', initialization(node, instance));
        break;
      } catch (err) {
        this.initialized.delete(node.metadata.uid!);
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= maxAttempts) throw err;
      }
      node = await this.client.get(NODES, name);
      if (!isUninitialized(node)) return;
    }
    this.recorder.event(node, 'Normal', 'Synced', 'Node synced successfully');
  };

  /** kube's UpdateNodeStatus, like a wait.Until loop: a failed pass is logged and the next comes a period later. */
  readonly reconcileStatus = async (): Promise<ReconcileResult> => {
    try {
      await this.updateNodeStatus();
    } catch (err) {
      logError(err, { controller: 'cloud-node', phase: 'update node addresses' });
    }
    return { requeueAfter: this.statusUpdateFrequencyMs };
  };

  private async updateNodeStatus(): Promise<void> {
    // Initialized nodes carry their providerID; a node without one (of no instance at all) is no business of the cloud's.
    const nodes = this.nodes.store.list().filter((n) => !isUninitialized(n) && instanceIdFromProviderId(n.spec?.providerID));
    if (!nodes.length) return;
    const answers = await instancesOfNodes(this.instances, nodes);
    await parallelize(nodes, statusWorkers, async (node) => {
      const found = answers.get(node.metadata.name!);
      if (!found?.instance || found.gone) return;
      try {
        await this.writeAddresses(node, found.instance);
      } catch (err) {
        logError(err, { controller: 'cloud-node', node: node.metadata.name, phase: 'update node addresses' });
      }
    });
  }

  /** Writes the node's addresses when they differ; answers the node as written, or undefined when it is gone. */
  private async writeAddresses(node: AnyObject, instance: Instance): Promise<AnyObject | undefined> {
    const addresses = nodeAddresses(node, instance);
    if (!addressesChanged(node.status?.addresses, addresses)) return node;
    try {
      // A merge patch replaces the list: addresses the cloud no longer reports go.
      return await this.client.patch(NODES, node.metadata.name!, 'merge', { status: { addresses } }, { subresource: 'status' });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/**
 * The write that initializes the node, made against `node`'s version: the
 * providerID (when it has none), the zone, region and instance-type labels
 * in their stable and beta forms as cloud-provider sets both, and the
 * uninitialized taint off.
 */
function initialization(node: AnyObject, instance: Instance): AnyObject {
  const labels: Record<string, string> = {};
  if (instance.instanceType) Object.assign(labels, { [LABEL_INSTANCE_TYPE]: instance.instanceType, [LABEL_INSTANCE_TYPE_BETA]: instance.instanceType });
  if (instance.zone) Object.assign(labels, { [LABEL_TOPOLOGY_ZONE]: instance.zone, [LABEL_FAILURE_DOMAIN_BETA_ZONE]: instance.zone });
  if (instance.region) Object.assign(labels, { [LABEL_TOPOLOGY_REGION]: instance.region, [LABEL_FAILURE_DOMAIN_BETA_REGION]: instance.region });
  const taints = nodeTaints(node).filter((t) => !(t.key === UNINITIALIZED.key && t.effect === UNINITIALIZED.effect));
  return {
    metadata: { resourceVersion: node.metadata.resourceVersion, labels },
    spec: { ...(node.spec?.providerID ? {} : { providerID: providerIdOf(instance) }), taints: taints.length ? taints : null },
  };
}

export const cloudNodeController: CloudControllerDescriptor = {
  name: 'cloud-node-controller', aliases: ['cloud-node'], enabledByDefault: true,
  create(ctx) {
    const instances = new Ec2Instances(ctx.aws, ctx.options.clusterName);
    const controller = new CloudNodeController(
      ctx.client, ctx.recorder('cloud-node-controller'), ctx.informers.for(NODES), instances, ctx.options.nodeStatusUpdateFrequencyMs,
      cloudQueue(ctx), cloudQueue(ctx),
    );
    return [
      { name: 'cloud-node', queue: controller.queue, reconcile: controller.reconcile, workers: workersFor(ctx, 'cloud-node-controller', defaultWorkers) },
      { name: 'cloud-node-status', queue: controller.statusQueue, reconcile: controller.reconcileStatus, workers: 1 },
    ];
  },
};
