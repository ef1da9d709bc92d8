import { loadKubeconfig } from '../../client/kubeconfig.js';
import { log } from '../../client/log.js';
import { runControllerManager } from '../../controllers/controller-manager.js';

const FLAGS = { kubeconfig: 'kubeconfig', 'cluster-signing-cert-file': 'clusterSigningCertFile', 'cluster-signing-key-file': 'clusterSigningKeyFile' } as const;

/**
 * `skiff controller-manager --kubeconfig=PATH [--cluster-signing-cert-file=F
 * --cluster-signing-key-file=F]`: runs the controllers until SIGTERM; with a
 * signing CA, also approves and signs node client certificates.
 */
export async function controllerManagerCommand(argv: string[]): Promise<void> {
  const flags: Partial<Record<(typeof FLAGS)[keyof typeof FLAGS], string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in FLAGS)) throw new Error(`unknown flag: ${argv[i]}`);
    const value = m[2] ?? argv[++i];
    if (!value) throw new Error(`flag needs an argument: --${m[1]}`);
    flags[FLAGS[m[1] as keyof typeof FLAGS]] = value;
  }
  if (!flags.clusterSigningCertFile !== !flags.clusterSigningKeyFile) throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  const path = flags.kubeconfig;
  const config = loadKubeconfig({ path });
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      log.info('controller-manager stopping', { signal: sig });
      stop.abort();
    });
  }
  await runControllerManager(config, stop.signal, { clusterSigningCertFile: flags.clusterSigningCertFile, clusterSigningKeyFile: flags.clusterSigningKeyFile });
}
