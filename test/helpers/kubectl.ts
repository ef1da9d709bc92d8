import { execFile, spawn } from 'node:child_process';
import type { TestCluster } from './apiserver.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the machine's real kubectl against the test cluster (never blocking the server's event loop). */
export function kubectl(cluster: TestCluster, args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.dir }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) {
      child.stdin!.write(stdin);
      child.stdin!.end();
    }
  });
}

/** kubectl that must succeed; answers its stdout. */
export async function kubectlOk(cluster: TestCluster, args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(cluster, args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** A long-running kubectl (get -w) whose output is collected until stopped. */
export function kubectlStream(cluster: TestCluster, args: string[]) {
  const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.dir } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  return {
    output: () => out,
    async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (pattern.test(out)) return out;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`kubectl ${args.join(' ')} never printed ${pattern}; stdout: ${out} stderr: ${err}`);
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}
