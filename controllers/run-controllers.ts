import { setMaxListeners } from 'node:events';
import { Gauge, type Registry } from 'prom-client';
import { runControllerLoop } from '../client/controller-loop.js';
import { EventRecorder } from '../client/event-recorder.js';
import { log } from '../client/log.js';
import type { RestClient } from '../client/rest-client.js';
import { SharedInformers } from '../client/shared-informers.js';
import { runComponent, type ComponentSettings } from '../component-base/component.js';
import type { SecureServing } from '../component-base/secure-serving.js';
import type { Controller, ControllerContext, ControllerDescriptor, ControllerSetOptions } from './controller.js';

export interface ControllerSet<O extends ControllerSetOptions, C extends ControllerContext<O>> {
  /** The component's name in logs and health checks. */
  name: string;
  client: RestClient;
  registry: Registry;
  descriptors: ControllerDescriptor<C>[];
  options: O;
  /** Adds what this set's controllers need beyond the shared context (the cloud, for the cloud-controller-manager). */
  context(base: ControllerContext<O>): C;
  settings?: ComponentSettings;
  onServing?(serving: SecureServing): void;
}

/**
 * Runs a set of controllers as one component: each selected controller wired
 * on one set of shared informers, each draining its own work queue with one
 * reconcile function, under leader election when it is on. Runs until
 * `signal` aborts; answers 'lost' when leadership was lost.
 */
export async function runControllerSet<O extends ControllerSetOptions, C extends ControllerContext<O>>(set: ControllerSet<O, C>, signal: AbortSignal): Promise<'stopped' | 'lost'> {
  const { client, registry } = set;
  const queues: Controller<any>[] = [];
  new Gauge({
    name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [registry],
    collect() {
      for (const c of queues) this.set({ name: c.name }, c.queue.length);
    },
  });
  return runComponent({
    name: set.name,
    client,
    settings: set.settings,
    registry,
    signal,
    onServing: set.onServing,
    run: async (leading, synced) => {
      const informers = new SharedInformers(client);
      const recorders: EventRecorder[] = [];
      const ctx = set.context({
        client, informers, options: set.options,
        recorder(component) {
          // kube's controller events name their controller only, no host.
          const recorder = new EventRecorder(client, { component });
          recorders.push(recorder);
          return recorder;
        },
      });
      try {
        for (const d of set.descriptors) queues.push(...await d.create(ctx));
        informers.start();
        await informers.waitForSync(leading);
        synced();
        log.info(`${set.name} started`, { controllers: set.descriptors.map((d) => d.name) });
        // Every queue's loop listens for the end of leadership: that many listeners are no leak.
        setMaxListeners(queues.length + 10, leading);
        await Promise.all(queues.map((c) => runControllerLoop(c.queue, c.reconcile, { name: c.name, workers: c.workers, signal: leading })));
        // With nothing selected (--controllers=-all of them), the leader still holds its Lease until stopped.
        if (!queues.length && !leading.aborted) await new Promise((resolve) => leading.addEventListener('abort', resolve, { once: true }));
      } catch (err) {
        if (!leading.aborted) throw err;
      } finally {
        for (const c of queues) c.queue.shutDown();
        await informers.stop();
        await Promise.all(recorders.map((r) => r.close()));
        queues.length = 0;
      }
    },
  });
}
