import { hasFinalizer, withFinalizer, withoutFinalizer } from '../../../api/finalizers.js';
import { isConflict, isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES, SERVICES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { objectKey } from '../../../client/store.js';
import { describeAwsError } from '../../aws/errors.js';
import { findLoadBalancerSubnets, NoSubnetsError } from '../../aws/load-balancer-subnets.js';
import { ElbLoadBalancers, type DesiredLoadBalancer, type LoadBalancers } from '../../aws/load-balancers.js';
import { workersFor } from '../../controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { loadBalancerSettings, UnsupportedLoadBalancerError, type LoadBalancerSettings } from './annotations.js';
import { backendFingerprint, targetInstances } from './backends.js';

/** Kept on a Service while it may have a load balancer: deletion waits until the load balancer is gone. */
export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/**
 * How often a Service's load balancer is compared with what it should be
 * even when nothing in the cluster changed (someone may have changed it in
 * AWS); in the steady state this reads and never writes.
 */
const VERIFY_PERIOD_MS = 10 * 60_000;

/** "a" and the Service's uid without dashes, cut to 32 characters, as the AWS cloud-controller-manager names load balancers. */
export const loadBalancerName = (svc: AnyObject): string => `a${String(svc.metadata.uid).replace(/-/g, '')}`.slice(0, 32);

/** Wants a load balancer from this controller: type LoadBalancer and no loadBalancerClass (another implementation's). */
const wantsLoadBalancer = (svc: AnyObject): boolean => svc.spec?.type === 'LoadBalancer' && !svc.spec?.loadBalancerClass;

/** kube's needsCleanup: it holds the finalizer but is going, or no longer wants a load balancer. */
const needsCleanup = (svc: AnyObject): boolean =>
  hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER) && (!!svc.metadata.deletionTimestamp || svc.spec?.type !== 'LoadBalancer');

/** What of a Service shapes its load balancer (everything but the nodes): kube's needsUpdate compares the same. */
const serviceFingerprint = (svc: AnyObject): string => JSON.stringify([
  svc.metadata.uid, svc.metadata.annotations ?? {}, svc.spec?.type, svc.spec?.loadBalancerClass, svc.spec?.ports ?? [],
  svc.spec?.loadBalancerSourceRanges ?? [], svc.spec?.externalTrafficPolicy, svc.spec?.healthCheckNodePort,
]);

interface Synced {
  /** The load balancer's name, to delete it should the Service vanish without its finalizer. */
  name: string;
  service: string;
  targets: string;
  /** When it was last ensured whole (compared with AWS, not only its targets). */
  verifiedAt: number;
}

/**
 * The service controller of the cloud-controller-manager: a Service of type
 * LoadBalancer gets a Network Load Balancer (one listener and target group
 * per port, the nodes as instance targets) and its DNS name in
 * status.loadBalancer; node changes re-sync only the targets; a Service
 * that stops wanting one, or goes, has everything tagged as its own deleted
 * before its finalizer is removed. Keys are "namespace/name" of Services.
 */
export function serviceLoadBalancerReconciler(deps: {
  client: RestClient;
  services: Informer<AnyObject>;
  nodes: Informer<AnyObject>;
  loadBalancers: LoadBalancers;
  findSubnets: (settings: LoadBalancerSettings) => ReturnType<typeof findLoadBalancerSubnets>;
  recorder: EventRecorder;
  synced: Map<string, Synced>;
}) {
  const { client, services, nodes, loadBalancers, recorder, synced } = deps;

  /** Writes the Service with its finalizers changed by `change`, again on the latest copy if the cached one was stale. */
  async function updateFinalizers(svc: AnyObject, change: (obj: AnyObject) => AnyObject): Promise<AnyObject> {
    try {
      return await client.update(SERVICES, change(svc));
    } catch (err) {
      if (!isConflict(err)) throw err;
      return client.update(SERVICES, change(await client.get(SERVICES, svc.metadata.name!, { namespace: svc.metadata.namespace })));
    }
  }

  async function cleanup(svc: AnyObject, key: string): Promise<void> {
    recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    await loadBalancers.delete(key, loadBalancerName(svc));
    try {
      if (svc.status?.loadBalancer?.ingress?.length) {
        await client.patch(SERVICES, svc.metadata.name!, 'merge', { status: { loadBalancer: { ingress: null } } }, { namespace: svc.metadata.namespace, subresource: 'status' });
      }
      await updateFinalizers(svc, (obj) => withoutFinalizer(obj, LOAD_BALANCER_CLEANUP_FINALIZER));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    synced.delete(key);
    recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  async function ensure(svc: AnyObject, key: string, settings: LoadBalancerSettings, targets: string[]): Promise<ReconcileResult> {
    const fingerprint = serviceFingerprint(svc);
    const last = synced.get(key);
    const name = loadBalancerName(svc);
    const hostname = svc.status?.loadBalancer?.ingress?.[0]?.hostname;
    const settled = !!last && last.service === fingerprint && hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER) && !!hostname;
    const targetKey = targets.join(',');
    // A node change that leaves this Service's targets as they are: nothing to ask AWS until the next verification.
    const verifyIn = settled ? last.verifiedAt + VERIFY_PERIOD_MS - Date.now() : 0;
    if (settled && last.targets === targetKey && verifyIn > 0) return { requeueAfter: verifyIn };
    // Always add the finalizer before anything is created, so the Service cannot go before its load balancer does.
    if (!hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER)) svc = await updateFinalizers(svc, (obj) => withFinalizer(obj, LOAD_BALANCER_CLEANUP_FINALIZER));
    const subnets = await deps.findSubnets(settings);
    const want: DesiredLoadBalancer = {
      name, owner: key, scheme: settings.scheme, subnets, listeners: settings.listeners, healthCheck: settings.healthCheck,
      targets, tags: settings.tags, crossZone: settings.crossZone, sourceRanges: settings.sourceRanges,
    };
    if (settled && last.targets !== targetKey && verifyIn > 0) {
      // Only the node set changed: kube's UpdateLoadBalancer, targets and the rules that follow them.
      const updated = await loadBalancers.updateTargets(want);
      if (updated !== undefined) {
        synced.set(key, { ...last, targets: targetKey });
        if (!targets.length) recorder.event(svc, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
        else recorder.event(svc, 'Normal', 'UpdatedLoadBalancer', 'Updated load balancer with new hosts');
        return { requeueAfter: verifyIn };
      }
    }
    if (!settled) {
      recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      if (!targets.length) recorder.event(svc, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    }
    const { dnsName, changed } = await loadBalancers.ensure(want);
    if (hostname !== dnsName || svc.status?.loadBalancer?.ingress?.length !== 1) {
      await client.patch(SERVICES, svc.metadata.name!, 'merge', { status: { loadBalancer: { ingress: [{ hostname: dnsName }] } } }, { namespace: svc.metadata.namespace, subresource: 'status' });
    }
    if (!settled || changed) recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    synced.set(key, { name, service: fingerprint, targets: targetKey, verifiedAt: Date.now() });
    return { requeueAfter: VERIFY_PERIOD_MS };
  }

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const cached = services.store.get(key);
    if (!cached) {
      // Gone without our finalizer (someone removed it): what it had is still found by its tags.
      const last = synced.get(key);
      if (last) {
        await loadBalancers.delete(key, last.name);
        synced.delete(key);
      }
      return;
    }
    const svc = structuredClone(cached);
    try {
      if (!wantsLoadBalancer(svc) || needsCleanup(svc)) {
        if (hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER)) await cleanup(svc, key);
        return;
      }
      let settings: LoadBalancerSettings;
      try {
        settings = loadBalancerSettings(svc);
      } catch (err) {
        if (!(err instanceof UnsupportedLoadBalancerError)) throw err;
        recorder.event(svc, 'Warning', 'UnsupportedLoadBalancer', err.message);
        // One made before the annotation changed goes; nothing is retried until the Service changes again.
        if (hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER)) await cleanup(svc, key);
        return;
      }
      return await ensure(svc, key, settings, targetInstances(nodes.store.list(), settings.targetNodeLabels));
    } catch (err) {
      const doing = wantsLoadBalancer(svc) && !needsCleanup(svc) ? 'failed to ensure load balancer' : 'failed to delete load balancer';
      const message = err instanceof NoSubnetsError ? err.message : describeAwsError(err);
      recorder.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${doing}: ${message}`);
      throw err;
    }
  };
}

export const serviceLoadBalancerController: CloudControllerDescriptor = {
  name: 'service-lb-controller', aliases: ['service', 'service-controller'], enabledByDefault: true,
  create(ctx) {
    const services = ctx.informers.for<AnyObject>(SERVICES);
    const nodes = ctx.informers.for<AnyObject>(NODES);
    const queue = cloudQueue(ctx);
    const synced = new Map<string, Synced>();
    services.addEventHandler({
      onAdd: (svc) => {
        if (wantsLoadBalancer(svc) || hasFinalizer(svc, LOAD_BALANCER_CLEANUP_FINALIZER)) queue.add(objectKey(svc));
      },
      // Status and finalizer writes (ours among them) change nothing a load balancer is made from.
      onUpdate: (old, svc) => {
        if (needsCleanup(svc) || ((wantsLoadBalancer(old) || wantsLoadBalancer(svc)) && serviceFingerprint(old) !== serviceFingerprint(svc))) queue.add(objectKey(svc));
      },
      onDelete: (svc) => {
        if (synced.has(objectKey(svc))) queue.add(objectKey(svc));
      },
    });
    const resyncTargets = () => {
      for (const key of synced.keys()) queue.add(key);
    };
    nodes.addEventHandler({
      onAdd: resyncTargets,
      onUpdate: (old, node) => {
        if (backendFingerprint(old) !== backendFingerprint(node)) resyncTargets();
      },
      onDelete: resyncTargets,
    });
    const loadBalancers = new ElbLoadBalancers(ctx.aws, ctx.options.clusterName);
    const reconcile = serviceLoadBalancerReconciler({
      client: ctx.client, services, nodes, loadBalancers, recorder: ctx.recorder('service-controller'), synced,
      findSubnets: (settings) => findLoadBalancerSubnets(ctx.aws, ctx.options.clusterName, settings.scheme, settings.subnetNames),
    });
    return [{ name: 'service', queue, reconcile, workers: workersFor(ctx, 'service', 1) }];
  },
};
