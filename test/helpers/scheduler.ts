import type { ComponentSettings } from '../../component-base/component.js';
import type { SecureServing } from '../../component-base/secure-serving.js';
import { runScheduler } from '../../control-plane/scheduler/run-scheduler.js';
import { identityConfig, type TestCluster } from './apiserver.js';

export interface RunningScheduler {
  outcome: Promise<'stopped' | 'lost'>;
  serving?: SecureServing;
  stop(): Promise<'stopped' | 'lost'>;
}

/** Runs the scheduler in this process as system:kube-scheduler, as a cluster runs it. */
export async function startScheduler(cluster: TestCluster, settings?: ComponentSettings): Promise<RunningScheduler> {
  const config = await identityConfig(cluster, 'system:kube-scheduler');
  const abort = new AbortController();
  let serving: SecureServing | undefined;
  let served: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (served = resolve));
  const outcome = runScheduler(config, abort.signal, { settings, onServing: (s) => { serving = s; served(); } });
  if (settings?.serving.securePort) await Promise.race([listening, outcome]);
  return {
    outcome,
    get serving() {
      return serving;
    },
    stop: async () => {
      abort.abort();
      return outcome;
    },
  };
}
