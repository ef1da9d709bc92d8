import { nodeCondition } from '../../../api/node-status.js';
import { nodeTaints, taintExists } from '../../../api/taints.js';
import { TAINT_NODE_SHUTDOWN } from '../../../api/well-known.js';
import { isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import { log, logError } from '../../../client/log.js';
import { parallelize } from '../../../client/parallelize.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import type { WorkQueue } from '../../../client/workqueue.js';
import { Ec2Instances, type Instances } from '../../aws/instances.js';
import { swapNodeTaints } from '../../nodelifecycle/swap-node-taints.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { instancesOfNodes } from './node-instances.js';

const MONITOR_NODES = 'monitor-nodes';
// Node writes in flight at once during a pass.
const workers = 10;

/** kube's ShutdownTaint: a node whose instance is stopped takes no new pods. */
export const SHUTDOWN_TAINT = { key: TAINT_NODE_SHUTDOWN, effect: 'NoSchedule' };

/**
 * cloud-provider's cloud node lifecycle controller. Every
 * --node-monitor-period it looks at the nodes that are not Ready (a Ready
 * node's instance is running by definition, and loses its shutdown taint):
 * one whose instance is definitely gone (terminated, or
 * InvalidInstanceID.NotFound) is deleted; one whose instance is stopped gets
 * the shutdown taint. Any other answer, an AWS error included, changes
 * nothing, and all of them cost one batched DescribeInstances.
 */
export class CloudNodeLifecycleController {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly nodes: Informer,
    private readonly instances: Instances,
    private readonly monitorPeriodMs: number,
    readonly queue: WorkQueue<string>,
  ) {
    queue.add(MONITOR_NODES);
  }

  /** kube's MonitorNodes, as a wait.Until loop: a failed pass is logged and the next comes a period later. */
  readonly reconcile = async (): Promise<ReconcileResult> => {
    try {
      await this.monitorNodes();
    } catch (err) {
      logError(err, { controller: 'cloud-node-lifecycle', phase: 'monitor nodes' });
    }
    return { requeueAfter: this.monitorPeriodMs };
  };

  private async monitorNodes(): Promise<void> {
    const nodes = this.nodes.store.list();
    const ready = nodes.filter((n) => nodeCondition(n.status, 'Ready')?.status === 'True');
    const notReady = nodes.filter((n) => !ready.includes(n));
    await parallelize(ready.filter((n) => taintExists(nodeTaints(n), SHUTDOWN_TAINT)), workers, async (node) => {
      await swapNodeTaints(this.client, node, [], [SHUTDOWN_TAINT]);
    });
    if (!notReady.length) return;
    const answers = await instancesOfNodes(this.instances, notReady);
    await parallelize(notReady, workers, async (node) => {
      const found = answers.get(node.metadata.name!);
      try {
        if (found?.gone) await this.deleteNode(node);
        else if (found?.instance.state === 'stopped' && !taintExists(nodeTaints(node), SHUTDOWN_TAINT)) await swapNodeTaints(this.client, node, [SHUTDOWN_TAINT], []);
      } catch (err) {
        logError(err, { controller: 'cloud-node-lifecycle', node: node.metadata.name });
      }
    });
  }

  private async deleteNode(node: AnyObject): Promise<void> {
    const name = node.metadata.name!;
    log.info('deleting node since it is no longer present in cloud provider', { node: name });
    this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid } }, 'Normal', 'DeletingNode',
      `Deleting node ${name} because it does not exist in the cloud provider`);
    // The uid precondition spares a node of the same name registered meanwhile by a new instance.
    await this.client.delete(NODES, name, { preconditions: { uid: node.metadata.uid } }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

export const cloudNodeLifecycleController: CloudControllerDescriptor = {
  name: 'cloud-node-lifecycle-controller', aliases: ['cloud-node-lifecycle'], enabledByDefault: true,
  create(ctx) {
    const controller = new CloudNodeLifecycleController(
      ctx.client, ctx.recorder('cloud-node-lifecycle-controller'), ctx.informers.for(NODES),
      new Ec2Instances(ctx.aws, ctx.options.clusterName), ctx.options.nodeMonitorPeriodMs, cloudQueue(ctx),
    );
    return [{ name: 'cloud-node-lifecycle', queue: controller.queue, reconcile: controller.reconcile, workers: 1 }];
  },
};
