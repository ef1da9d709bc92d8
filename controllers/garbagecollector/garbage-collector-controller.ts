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
    const syncDiscovery = async () => {
      await mapper.refresh();
      graph.syncMonitors(mapper.deletableResources());
      return { requeueAfter: DISCOVERY_PERIOD_MS };
    };
    // Watching from the start lets the controller-manager wait for these informers before any worker runs.
    try {
      await syncDiscovery();
      discovery.addAfter('discovery', DISCOVERY_PERIOD_MS);
    } catch (err) {
      // Discovery is retried by the queue; until it answers there is nothing to watch.
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
