import { loadKubeconfig } from '../../client/kubeconfig.js';
import { log } from '../../client/log.js';
import { runControllerManager } from '../../controllers/controller-manager.js';

/** `skiff controller-manager --kubeconfig=PATH`: runs the controllers until SIGTERM. */
export async function controllerManagerCommand(argv: string[]): Promise<void> {
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--kubeconfig(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown flag: ${argv[i]}`);
    path = m[1] ?? argv[++i];
    if (!path) throw new Error('flag needs an argument: --kubeconfig');
  }
  const config = loadKubeconfig({ path });
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      log.info('controller-manager stopping', { signal: sig });
      stop.abort();
    });
  }
  await runControllerManager(config, stop.signal);
}
