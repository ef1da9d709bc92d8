import { clearState, isAlive, readState, stopProcess } from '../local-cluster.js';

/** `skiff down`: stops every process `up` started, newest first. */
export async function downCommand(argv: string[]): Promise<void> {
  if (argv.length) throw new Error(`unknown argument: ${argv[0]}`);
  const state = readState();
  if (!state) {
    process.stdout.write('no local cluster is running\n');
    return;
  }
  for (const c of [...state.components].reverse()) {
    if (isAlive(c.pid)) {
      process.stdout.write(`• stopping ${c.name} (pid ${c.pid})\n`);
      await stopProcess(c.pid);
    }
  }
  clearState();
  process.stdout.write('✓ local cluster stopped\n');
}
