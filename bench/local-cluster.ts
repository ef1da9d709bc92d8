import { execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool, type Dispatcher } from 'undici';

/** What benchmarks share about the cluster `skiff up` starts: the CLI, an admin client, waiting, scraping. */

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const main = join(root, 'dist', 'cli', 'main.js');
/** Connections of the admin's client: as many requests in flight. */
const IN_FLIGHT = 64;

export interface Component { name: string; pid: number; endpoint: string; log: string; command: string[] }

export function skiff(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [main, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`skiff ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/**
 * A watch read line by line (one event each) until stopped: `established`
 * settles once the server answered the request.
 */
export function watchLines(pool: Pool, path: string, onLine: (line: string) => void): { established: Promise<void>; stop(): Promise<void> } {
  const abort = new AbortController();
  const response = pool.request({ path, method: 'GET', signal: abort.signal });
  const done = response.then(async (res) => {
    let buf = '';
    for await (const chunk of res.body) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  }).catch(() => undefined);
  const established = response.then(() => undefined);
  // Awaited by the callers that care; a failure is theirs to see, never an unhandled rejection.
  established.catch(() => undefined);
  return { established, stop: async () => { abort.abort(); await done; } };
}

/** The admin's HTTP client: undici, so the bench's own CPU stays small beside the cluster's. */
export function adminPool(url: string, pki: string) {
  const pool = new Pool(url, {
    connections: IN_FLIGHT,
    connect: { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) },
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await pool.request({
      path, method: method as Dispatcher.HttpMethod,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
  return { call, pool };
}

export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - started;
}

/** A component's /metrics, whose certificate is its own self-signed one. */
export function scrape(url: string): Promise<string> {
  return new Promise((resolve) => {
    httpsGet(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', () => resolve(''));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Writes a benchmark's report under bench/results/ as NAME.json and NAME.md
 * (a table of the measures and one of the targets), prints the Markdown, and
 * answers whether every target was met.
 */
export function writeReport(name: string, title: string, intro: string, results: Record<string, unknown> & { date: string }, checks: Record<string, boolean>): boolean {
  const outDir = join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ results, checks }, null, 2) + '\n');
  const cell = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v).replace(/"/g, '').replace(/,/g, ', ') : String(v));
  const md = [
    `# ${title} (${results.date})`, '', intro, '',
    '| measure | value |', '| --- | --- |',
    ...Object.entries(results).filter(([k]) => k !== 'date').map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '', '| target | met |', '| --- | --- |',
    ...Object.entries(checks).map(([k, v]) => `| ${k} | ${v ? 'yes' : 'NO'} |`), '',
  ].join('\n');
  writeFileSync(join(outDir, `${name}.md`), md);
  process.stdout.write(md);
  return Object.values(checks).every(Boolean);
}
