import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProxyHealth {
  healthy: boolean;
  lastUpdated: Date;
  currentTime: Date;
}

/** A plain-HTTP listener as kube-proxy's are (--healthz-bind-address, --metrics-bind-address). */
export interface ProxyListener {
  url: string;
  close(): Promise<void>;
}

/** Reads kube-proxy's `IP:port` bind flags (`[::]:port` for IPv6); an empty value turns the listener off. */
export function parseBindAddress(flag: string, value: string): { host: string; port: number } | undefined {
  if (value === '') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--${flag}=${value}: must be IP:port (0.0.0.0:10256, [::]:10256)`);
  return { host: m[1] ?? m[2], port };
}

/**
 * kube-proxy's health and metrics endpoints: /healthz and /livez answer
 * JSON with the last sync's time, 200 while syncs keep up and 503 when a
 * change has waited too long; /metrics (where `registry` is given) the
 * Prometheus text.
 */
export async function serveProxyEndpoints(bind: { host: string; port: number }, health: () => ProxyHealth, registry?: Registry): Promise<ProxyListener> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics' && registry) {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      const h = health();
      res.writeHead(h.healthy ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
        .end(JSON.stringify({ lastUpdated: h.lastUpdated.toISOString(), currentTime: h.currentTime.toISOString(), nodeEligible: true }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
