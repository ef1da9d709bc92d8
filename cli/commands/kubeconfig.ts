import { existsSync, readFileSync } from 'node:fs';
import { readState } from '../local-cluster.js';

/** `skiff kubeconfig [--path]`: the admin kubeconfig of the running local cluster. */
export async function kubeconfigCommand(argv: string[]): Promise<void> {
  for (const a of argv) if (a !== '--path') throw new Error(`unknown flag: ${a}`);
  const state = readState();
  if (!state || !existsSync(state.kubeconfig)) throw new Error('no local cluster is running (start one with skiff up)');
  process.stdout.write(argv.includes('--path') ? `${state.kubeconfig}\n` : readFileSync(state.kubeconfig, 'utf8'));
}
