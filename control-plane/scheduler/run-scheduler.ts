import { servesResource } from '../../client/discovery.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { ClientConfig } from '../../client/kubeconfig.js';
import { log } from '../../client/log.js';
import {
  NAMESPACES, NODES, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, REPLICA_SETS, REPLICATION_CONTROLLERS, SERVICES, STATEFUL_SETS, STORAGE_CLASSES,
} from '../../client/resources.js';
import { SharedInformers } from '../../client/shared-informers.js';
import { componentClient, runComponent, type ComponentSettings } from '../../component-base/component.js';
import type { SecureServing } from '../../component-base/secure-serving.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { addEventHandlers } from './event-handlers.js';
import type { Listers } from './framework/listers.js';
import { SchedulerMetrics } from './metrics.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile } from './plugins/default-profile.js';
import { PV_CLASS_INDEX, pvClassIndex } from './plugins/volume-binding.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { Scheduler } from './scheduler.js';

/**
 * The component settings `skiff scheduler` runs with unless its flags say
 * otherwise. The client rate is far above kube's default (50/100): every
 * pod costs a binding, and often a status write and an event, so the rate
 * limit must not be what caps throughput.
 */
export const SCHEDULER_COMPONENT = { lease: 'kube-scheduler', securePort: 10259, qps: 1000, burst: 2000 };


/** kube's informer for pods leaves out finished ones: a pod that finishes leaves the cache as if deleted. */
const UNFINISHED_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export interface SchedulerRun {
  /** Component settings (leader election, serving, client rate); without them: no leader election, no serving. */
  settings?: ComponentSettings;
  onServing?(serving: SecureServing): void;
}

/**
 * kube-scheduler: pods whose schedulerName is default-scheduler are placed
 * on nodes by kube's default plugins, under leader election on the Lease
 * kube-system/kube-scheduler when it is on. Runs until `signal` aborts;
 * answers 'lost' when leadership was lost.
 */
export async function runScheduler(config: ClientConfig, signal: AbortSignal, run: SchedulerRun = {}): Promise<'stopped' | 'lost'> {
  const { client, registry } = componentClient(config, run.settings, SCHEDULER_COMPONENT);
  let queue: SchedulingQueue | undefined;
  const metrics = new SchedulerMetrics(registry, () => queue?.counts());
  try {
    return await runComponent({
      name: 'scheduler',
      client,
      settings: run.settings,
      registry,
      signal,
      onServing: run.onServing,
      run: async (leading, synced) => {
        const informers = new SharedInformers(client);
        // Only what the API server serves is watched.
        const [statefulSets, replicationControllers] = await Promise.all([servesResource(client, STATEFUL_SETS), servesResource(client, REPLICATION_CONTROLLERS)]);
        const pvInformer = informers.for(PERSISTENT_VOLUMES);
        informers.index(pvInformer, PV_CLASS_INDEX, pvClassIndex);
        const sched = {
          nodes: informers.for(NODES),
          pods: informers.for(PODS, { fieldSelector: UNFINISHED_PODS }),
          persistentVolumes: pvInformer,
          persistentVolumeClaims: informers.for(PERSISTENT_VOLUME_CLAIMS),
          storageClasses: informers.for(STORAGE_CLASSES),
        };
        const listers: Listers = {
          pods: sched.pods.store,
          namespaces: informers.for(NAMESPACES).store,
          services: informers.for(SERVICES).store,
          replicaSets: informers.for(REPLICA_SETS).store,
          statefulSets: statefulSets ? informers.for(STATEFUL_SETS).store : undefined,
          replicationControllers: replicationControllers ? informers.for(REPLICATION_CONTROLLERS).store : undefined,
          persistentVolumeClaims: sched.persistentVolumeClaims.store,
          persistentVolumes: pvInformer.store,
          storageClasses: sched.storageClasses.store,
        };
        const cache = new SchedulerCache();
        const framework = defaultProfile({ client, snapshot: cache, listers });
        const q = new SchedulingQueue({
          pluginEvents: new Map(framework.plugins.map((p) => [p.name, p.events ?? []])),
          preEnqueue: (pod) => framework.runPreEnqueue(pod),
          onIncoming: (name, event) => metrics.queueIncoming(name, event),
        });
        queue = q;
        addEventHandlers(sched, cache, q, DEFAULT_SCHEDULER_NAME);
        const recorder = new EventRecorder(client, { component: DEFAULT_SCHEDULER_NAME });
        const stop = () => q.close();
        leading.addEventListener('abort', stop, { once: true });
        informers.start();
        try {
          await informers.waitForSync(leading);
          synced();
          q.run();
          log.info('scheduler started', { nodes: cache.nodeCount, pending: q.counts() });
          await new Scheduler({ client, framework, cache, queue: q, pods: listers.pods, recorder, metrics }).run(leading);
        } catch (err) {
          if (!leading.aborted) throw err;
        } finally {
          leading.removeEventListener('abort', stop);
          q.close();
          await informers.stop();
          await recorder.close();
        }
      },
    });
  } finally {
    client.close();
  }
}
