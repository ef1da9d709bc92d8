import type { ReconcileResult } from '../../client/controller-loop.js';
import { logError } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { GarbageCollector } from './garbage-collector.js';
import { GraphBuilder } from './graph-builder.js';
import { Operations } from './operations.js';
import { RestMapper } from './rest-mapper.js';

/** kube-controller-manager reads discovery again this often, watching resources that appeared. */
const DISCOVERY_PERIOD_MS = 30_000;

/**
 * The garbage collector: objects whose owners are all gone are deleted,
 * `orphan` and `foregroundDeletion` finalizers are carried out. Its queues
 * keep kube's names (they label workqueue metrics); a fourth one holds a
 * single key that reads discovery again every 30 seconds.
 */
export const garbageCollectorController: ControllerDescriptor = {
  name: 'garbage-collector-controller', aliases: ['garbagecollector'], enabledByDefault: true,
  async create(ctx) {
    const mapper = new RestMapper(ctx.client);
    const graph = new GraphBuilder(ctx.informers, ctx.recorder('garbage-collector-controller'));
    const collector = new GarbageCollector(graph, new Operations(ctx.client, mapper));
    const discovery = new WorkQueue<string>();
    const refreshMonitors = async () => {
      await mapper.refresh();
      await graph.syncMonitors(mapper.deletableResources());
    };
    // Periodic, as kube's GC Sync loop: a failed pass is tried again a period
    // later, never after the queue's backoff, which grows to many minutes.
    const syncDiscovery = async (): Promise<ReconcileResult> => {
      try {
        await refreshMonitors();
      } catch (err) {
        logError(err, { controller: 'garbagecollector', phase: 'discovery' });
      }
      return { requeueAfter: DISCOVERY_PERIOD_MS };
    };
    // Watching from the start lets the controller-manager wait for these informers before any worker runs.
    try {
      await refreshMonitors();
      discovery.addAfter('discovery', DISCOVERY_PERIOD_MS);
    } catch (err) {
      // Until discovery answers there is nothing to watch: the worker tries again as soon as it starts.
      logError(err, { controller: 'garbagecollector', phase: 'discovery' });
      discovery.add('discovery');
    }
    const workers = workersFor(ctx, 'garbagecollector', 20);
    return [
      { name: 'garbage_collector_graph_changes', queue: graph.graphChanges, reconcile: async (event) => graph.processGraphChange(event), workers: 1 },
      { name: 'garbage_collector_attempt_to_delete', queue: graph.attemptToDelete, reconcile: collector.attemptToDelete, workers },
      { name: 'garbage_collector_attempt_to_orphan', queue: graph.attemptToOrphan, reconcile: collector.attemptToOrphan, workers },
      { name: 'garbage_collector_discovery', queue: discovery, reconcile: syncDiscovery, workers: 1 },
    ];
  },
};
