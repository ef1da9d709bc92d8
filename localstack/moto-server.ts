import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Where the embedded AWS endpoint listens unless told otherwise (LocalStack's port, so one URL fits both). */
export const EMBEDDED_ENDPOINT = { host: '127.0.0.1', port: 4566 };

export interface MotoServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts moto's server (EC2, ELBv2, IAM, STS on one port) and waits until
 * it answers. Its output goes to `logFile` when given. `detached` leaves it
 * running after this process exits (`skiff up` does; tests do not).
 */
export async function startMotoServer(opts: { host?: string; port?: number; logFile?: string; detached?: boolean } = {}): Promise<MotoServer> {
  const host = opts.host ?? EMBEDDED_ENDPOINT.host;
  const port = opts.port ?? EMBEDDED_ENDPOINT.port;
  const url = `http://${host}:${port}`;
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  let child: ChildProcess;
  try {
    child = spawn('moto_server', ['-H', host, '-p', String(port)], { stdio: ['ignore', out, out], detached: opts.detached ?? false });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  let exited: string | undefined;
  child.once('error', (err) => { exited = `moto_server could not start: ${err.message} (install it with: pip install "moto[server]")`; });
  child.once('exit', (code, sig) => { exited ??= `moto_server exited (${sig ?? code}) before answering on ${url}`; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(exited);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url} within 30 s`);
    }
    await delay(100);
  }
  if (opts.detached) child.unref();
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** True when something at `url` answers moto's own API (a plain AWS endpoint answers it with an error, which is fine too). */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
