import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import type { TestCluster } from './apiserver.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** One raw HTTP request to the test cluster's API server, with its admin token unless told otherwise. */
export function call(
  cluster: TestCluster,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  opts: { token?: string | null; cert?: string; key?: string } = {},
): Promise<Reply> {
  const url = new URL(cluster.server.url);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  const token = opts.token === undefined ? cluster.token : opts.token;
  const h: Record<string, string> = {
    ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...headers,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // The path goes out exactly as written: URL parsing would resolve '..' segments.
    const tls = url.protocol === 'https:' ? { ...(cluster.caFile ? { ca: readFileSync(cluster.caFile) } : {}), ...(opts.cert ? { cert: opts.cert, key: opts.key, agent: false as const } : {}) } : {};
    const req = send({ protocol: url.protocol, hostname: url.hostname, port: url.port, path, method, headers: h, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface WatchStream {
  events: any[];
  /** Resolves once `n` events have arrived (or rejects after the timeout). */
  waitFor(n: number, timeoutMs?: number): Promise<any[]>;
  close(): void;
}

/** Opens a watch and collects its events as they stream in. */
export function openWatch(cluster: TestCluster, path: string): Promise<WatchStream> {
  const url = new URL(path, cluster.server.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const waiters: Array<() => void> = [];
    let buffer = '';
    const req = send(url, { headers: { Authorization: `Bearer ${cluster.token}` }, ...(cluster.caFile ? { ca: readFileSync(cluster.caFile) } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch answered ${res.statusCode}`));
        return;
      }
      res.on('data', (chunk) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        waiters.splice(0).forEach((w) => w());
      });
      res.on('error', () => undefined);
      resolve({
        events,
        waitFor(n, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`waited for ${n} events, got ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`)), timeoutMs);
            const check = () => {
              if (events.length >= n) {
                clearTimeout(timer);
                ok(events);
              } else waiters.push(check);
            };
            check();
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', (e) => { if (!('destroyed' in req && req.destroyed)) reject(e); });
    req.end();
  });
}
