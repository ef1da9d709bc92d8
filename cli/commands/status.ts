import { isAlive, readState } from '../local-cluster.js';

/** `skiff status [-o json]`: every component with its endpoint and whether it runs. */
export async function statusCommand(argv: string[]): Promise<void> {
  let output = 'table';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--output') output = argv[++i] ?? '';
    else if (a.startsWith('-o=') || a.startsWith('--output=')) output = a.split('=')[1];
    else if (a.startsWith('-o')) output = a.slice(2);
    else throw new Error(`unknown flag: ${a}`);
  }
  if (output !== 'table' && output !== 'json') throw new Error(`unsupported output format ${JSON.stringify(output)}: use -o json`);
  const state = readState();
  const components = (state?.components ?? []).map((c) => ({ name: c.name, endpoint: c.endpoint, pid: c.pid, running: isAlive(c.pid), log: c.log }));
  if (output === 'json') {
    process.stdout.write(JSON.stringify({ running: components.length > 0 && components.every((c) => c.running), kubeconfig: state?.kubeconfig, awsEndpoint: state?.aws, components }, null, 2) + '\n');
    return;
  }
  if (!components.length) {
    process.stdout.write('no local cluster is running (start one with skiff up)\n');
    return;
  }
  const rows = [['COMPONENT', 'STATUS', 'ENDPOINT', 'PID'], ...components.map((c) => [c.name, c.running ? 'Running' : 'Stopped', c.endpoint, String(c.pid)])];
  // An endpoint `up` did not start (AWS_ENDPOINT_URL) is listed too, as external.
  if (state?.aws && !state.aws.embedded) rows.splice(1, 0, ['aws-endpoint', 'External', state.aws.endpoint, '-']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((cell, i) => cell.padEnd(widths[i] + 3)).join('').trimEnd() + '\n');
}
