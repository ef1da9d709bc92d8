import { loadKubeconfig } from '../../client/kubeconfig.js';
import { COMPONENT_FLAGS, componentSettings, stopOnSignals } from '../../component-base/component.js';
import { SCHEDULER_COMPONENT, runScheduler } from '../../control-plane/scheduler/run-scheduler.js';
import { parseTypedFlags } from '../../component-base/flags.js';

/**
 * `skiff scheduler --kubeconfig=PATH [kube-scheduler flags]`: schedules
 * pods until SIGTERM, under leader election unless --leader-elect=false;
 * exits 1 when leadership is lost.
 */
export async function schedulerCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, COMPONENT_FLAGS);
  const settings = componentSettings(flags, SCHEDULER_COMPONENT);
  const config = loadKubeconfig({ path: settings.kubeconfig });
  const outcome = await runScheduler(config, stopOnSignals('scheduler'), { settings });
  if (outcome === 'lost') process.exit(1);
}
