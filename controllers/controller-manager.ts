import { setMaxListeners } from 'node:events';
import { Gauge } from 'prom-client';
import { runControllerLoop } from '../client/controller-loop.js';
import { EventRecorder } from '../client/event-recorder.js';
import type { ClientConfig } from '../client/kubeconfig.js';
import { log } from '../client/log.js';
import { SharedInformers } from '../client/shared-informers.js';
import { componentClient, runComponent, type ComponentSettings } from '../component-base/component.js';
import type { SecureServing } from '../component-base/secure-serving.js';
import { CONTROLLER_MANAGER_DEFAULTS, type Controller, type ControllerContext, type ControllerManagerOptions } from './controller.js';
import { selectControllers } from './registry.js';

/** The component settings `skiff controller-manager` runs with unless its flags say otherwise. */
export const CONTROLLER_MANAGER_COMPONENT = { lease: 'kube-controller-manager', securePort: 10257, qps: 200, burst: 400 };

export interface ControllerManagerRun {
  /** Component settings (leader election, serving, client rate); without them: no leader election, no serving. */
  settings?: ComponentSettings;
  onServing?(serving: SecureServing): void;
}

/**
 * The controller-manager: every selected controller wired on one set of
 * shared informers, each draining its own work queue with one reconcile
 * function, under leader election when it is on. Runs until `signal`
 * aborts; answers 'lost' when leadership was lost.
 */
export async function runControllerManager(
  config: ClientConfig,
  signal: AbortSignal,
  options: Partial<ControllerManagerOptions> = {},
  run: ControllerManagerRun = {},
): Promise<'stopped' | 'lost'> {
  const opts: ControllerManagerOptions = { ...CONTROLLER_MANAGER_DEFAULTS, ...options };
  const descriptors = selectControllers(opts.controllers);
  const { client, registry } = componentClient(config, run.settings, CONTROLLER_MANAGER_COMPONENT);
  const queues: Controller<any>[] = [];
  new Gauge({
    name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [registry],
    collect() {
      for (const c of queues) this.set({ name: c.name }, c.queue.length);
    },
  });
  try {
    return await runComponent({
      name: 'controller-manager',
      client,
      settings: run.settings,
      registry,
      signal,
      onServing: run.onServing,
      run: async (leading, synced) => {
        const informers = new SharedInformers(client);
        const recorders: EventRecorder[] = [];
        const ctx: ControllerContext = {
          client, informers, options: opts,
          recorder(component) {
            // kube-controller-manager's events name their controller only, no host.
            const recorder = new EventRecorder(client, { component });
            recorders.push(recorder);
            return recorder;
          },
        };
        for (const d of descriptors) queues.push(...await d.create(ctx));
        informers.start();
        try {
          await informers.waitForSync(leading);
          synced();
          log.info('controller-manager started', { controllers: descriptors.map((d) => d.name) });
          // Every queue's loop listens for the end of leadership: that many listeners are no leak.
          setMaxListeners(queues.length + 10, leading);
          await Promise.all(queues.map((c) => runControllerLoop(c.queue, c.reconcile, { name: c.name, workers: c.workers, signal: leading })));
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
  } finally {
    client.close();
  }
}
