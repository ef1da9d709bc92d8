import { containsAddress, formatCidr, lastAddress, tryParseCidr, type Cidr } from '../../../api/net.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import { log, logError } from '../../../client/log.js';
import { parallelize } from '../../../client/parallelize.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import type { WorkQueue } from '../../../client/workqueue.js';
import { describeAwsError } from '../../aws/errors.js';
import { Ec2Instances, instanceIdFromProviderId, type Instances } from '../../aws/instances.js';
import { Ec2Routes, type InstanceRoute, type Routes } from '../../aws/routes.js';
import { parseClusterCidrs } from '../../nodeipam/node-ipam-controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { updateNetworkingCondition } from './network-condition.js';

const RECONCILE = 'reconcile';
// AWS calls and node writes in flight at once (kube allows 200 route creations; AWS's rate limits prefer fewer).
const workers = 10;

const podCidrsOf = (node: AnyObject): string[] => (Array.isArray(node.spec?.podCIDRs) ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : []);
const normalize = (text: string): string | undefined => {
  const c = tryParseCidr(text);
  return c && formatCidr(c);
};

/** A route the nodes want: a podCIDR to the node's instance. */
interface WantedRoute {
  node: string;
  cidr: string;
  instanceId: string;
}

/**
 * kube's route controller (--configure-cloud-routes): every node's
 * podCIDRs within --cluster-cidr are routed to its instance in the
 * cluster's route table, so pods on different nodes reach each other
 * without an overlay; the routes of nodes that went are deleted. It only
 * ever touches routes inside the cluster CIDR that target the cluster's own
 * instances, so routes anyone else made stay. The NetworkUnavailable
 * condition of each node with an instance says whether its routes are in place.
 */
export class RouteController {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly nodes: Informer,
    private readonly routes: Routes,
    private readonly instances: Instances,
    private readonly clusterCidrs: Cidr[],
    private readonly periodMs: number,
    readonly queue: WorkQueue<string>,
  ) {
    nodes.addEventHandler({
      onAdd: () => queue.add(RECONCILE),
      onUpdate: (old, node) => {
        if (old.spec?.providerID !== node.spec?.providerID || String(podCidrsOf(old)) !== String(podCidrsOf(node))) queue.add(RECONCILE);
      },
      onDelete: () => queue.add(RECONCILE),
    });
    queue.add(RECONCILE);
  }

  /** One pass over every node and route; a failed pass is retried with the queue's backoff, a good one comes again a period later. */
  readonly reconcile = async (): Promise<ReconcileResult> => {
    await this.reconcileRoutes();
    return { requeueAfter: this.periodMs };
  };

  private async reconcileRoutes(): Promise<void> {
    const nodes = this.nodes.store.list();
    const existing = (await this.routes.list()).filter((r) => this.isResponsibleForRoute(r.destinationCidr));
    const wanted = new Map<string, WantedRoute>();
    // Per node, per podCIDR: whether its route is in place.
    const created = new Map<string, Map<string, boolean>>();
    // Only nodes with an instance: one not initialized yet is kept off by its taint, and one of no
    // instance at all (a simulated node without --aws) is no business of the cloud's routes.
    const routable = nodes.filter((n) => instanceIdFromProviderId(n.spec?.providerID));
    for (const node of routable) {
      const name = node.metadata.name!;
      const cidrs = podCidrsOf(node).map(normalize).filter((c): c is string => !!c && this.isResponsibleForRoute(c));
      created.set(name, new Map(cidrs.map((c) => [c, false])));
      const instanceId = instanceIdFromProviderId(node.spec?.providerID)!;
      for (const cidr of cidrs) wanted.set(cidr, { node: name, cidr, instanceId });
    }
    const isWanted = (r: InstanceRoute) => !r.blackhole && wanted.get(normalize(r.destinationCidr)!)?.instanceId === r.instanceId;
    const stale = existing.filter((r) => !isWanted(r));
    const missing = [...wanted.values()].filter((w) => !existing.some((r) => isWanted(r) && normalize(r.destinationCidr) === w.cidr));
    for (const w of wanted.values()) if (!missing.includes(w)) created.get(w.node)!.set(w.cidr, true);

    // Stale routes go first: a podCIDR that moved to another node's instance needs its destination free.
    let failed = 0;
    await parallelize(stale, workers, async (r) => {
      try {
        log.info('deleting route', { cidr: r.destinationCidr, instance: r.instanceId });
        await this.routes.delete(r.destinationCidr);
      } catch (err) {
        failed++;
        logError(err, { controller: 'route', phase: `delete route ${r.destinationCidr}` });
      }
    });
    if (missing.length) {
      const answers = await this.instances.byIds(missing.map((w) => w.instanceId));
      await parallelize(missing, workers, async (w) => {
        try {
          const instance = answers.get(w.instanceId)?.instance;
          if (!instance || answers.get(w.instanceId)?.gone) throw new Error(`instance ${w.instanceId} is gone`);
          await this.instances.disableSourceDestCheck(instance);
          await this.routes.create(w.cidr, w.instanceId);
          created.get(w.node)!.set(w.cidr, true);
          log.info('created route', { node: w.node, cidr: w.cidr, instance: w.instanceId });
        } catch (err) {
          failed++;
          this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: w.node } }, 'Warning', 'FailedToCreateRoute',
            `Could not create route ${w.cidr} for node ${w.node}: ${describeAwsError(err)}`);
        }
      });
    }
    await parallelize(routable, workers, async (node) => {
      const routes = [...created.get(node.metadata.name!)!.values()];
      await updateNetworkingCondition(this.client, node, routes.length > 0 && routes.every(Boolean));
    });
    if (failed) throw new Error(`${failed} route change(s) failed; retrying`);
  }

  /** kube's isResponsibleForRoute: the route's CIDR starts or ends inside a cluster CIDR. */
  private isResponsibleForRoute(text: string): boolean {
    const c = tryParseCidr(text);
    if (!c) return false;
    return this.clusterCidrs.some((cluster) => containsAddress(cluster, c.base, c.family) || containsAddress(cluster, lastAddress(c), c.family));
  }
}

export const routeController: CloudControllerDescriptor = {
  name: 'node-route-controller', aliases: ['route'], enabledByDefault: true,
  create(ctx) {
    const opts = ctx.options;
    if (!opts.configureCloudRoutes || !opts.clusterCidr) return [];
    const clusterCidrs = parseClusterCidrs(opts.clusterCidr);
    if (clusterCidrs.some((c) => c.family === 6)) throw new Error(`--cluster-cidr ${opts.clusterCidr}: IPv6 pod routes are not implemented; use an IPv4 cluster CIDR`);
    const instances = new Ec2Instances(ctx.aws, opts.clusterName);
    const controller = new RouteController(
      ctx.client, ctx.recorder('route_controller'), ctx.informers.for(NODES), new Ec2Routes(ctx.aws, opts.clusterName, instances), instances,
      clusterCidrs, opts.routeReconciliationPeriodMs, cloudQueue(ctx),
    );
    return [{ name: 'route', queue: controller.queue, reconcile: controller.reconcile, workers: 1 }];
  },
};
