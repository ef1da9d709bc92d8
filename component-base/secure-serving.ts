import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { closableServer } from './close-server.js';
import type { Registry } from 'prom-client';
import { selfSignedServingCertificate } from '../control-plane/pki/self-signed.js';

/** A named check behind /livez or /readyz: undefined when healthy, otherwise why not. */
export interface HealthCheck {
  name: string;
  check(): string | undefined;
}

export interface SecureServingOptions {
  /** kube's --bind-address and --secure-port; port 0 with `ephemeral` picks a free one (tests). */
  bindAddress: string;
  securePort: number;
  ephemeral?: boolean;
  /** kube's --tls-cert-file and --tls-private-key-file; without them a self-signed certificate is made in memory. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  registry: Registry;
  /** What /livez and /healthz check besides that the process answers. */
  livez?: HealthCheck[];
  /** What /readyz checks besides the live checks (informers synced, say). */
  readyz?: HealthCheck[];
}

export interface SecureServing {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The HTTPS endpoint every Skiff component serves, as kube's components do
 * on their --secure-port: /healthz, /livez and /readyz (with `?verbose` the
 * checks one per line, and `/readyz/<check>` one check) and Prometheus
 * /metrics. Answers undefined when --secure-port is 0 (serving disabled).
 */
export async function startSecureServing(opts: SecureServingOptions): Promise<SecureServing | undefined> {
  if (opts.securePort === 0 && !opts.ephemeral) return undefined;
  if (!!opts.tlsCertFile !== !!opts.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const tls = opts.tlsCertFile
    ? { cert: readFileSync(opts.tlsCertFile), key: readFileSync(opts.tlsPrivateKeyFile!) }
    : await selfSignedServingCertificate([opts.bindAddress]).then(({ certPem, keyPem }) => ({ cert: certPem, key: keyPem }));
  const live = [{ name: 'ping', check: () => undefined }, ...(opts.livez ?? [])];
  const ready = [...live, ...(opts.readyz ?? [])];
  const server: Server = createServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
      return;
    }
    const m = /^\/(healthz|livez|readyz)(?:\/([^/]+))?$/.exec(path);
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const all = m[1] === 'readyz' ? ready : live;
    const checks = m[2] ? all.filter((c) => c.name === m[2]) : all;
    if (!checks.length) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const results = checks.map((c) => ({ name: c.name, failure: c.check() }));
    const failed = results.filter((r) => r.failure !== undefined);
    const verbose = url.searchParams.has('verbose') || failed.length > 0;
    let body = '';
    if (verbose) {
      for (const r of results) body += r.failure === undefined ? `[+]${r.name} ok\n` : `[-]${r.name} failed: ${r.failure}\n`;
      body += failed.length ? `${m[1]} check failed\n` : `${m[1]} check passed\n`;
    } else {
      body = 'ok';
    }
    res.writeHead(failed.length ? 500 : 200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(body);
  });
  const closeServer = closableServer(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.securePort, opts.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.bindAddress.includes(':') ? `[${opts.bindAddress}]` : opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress;
  return {
    url: `https://${host}:${port}`,
    port,
    close: closeServer,
  };
}
