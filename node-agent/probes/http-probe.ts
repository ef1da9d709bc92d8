import { request as plainRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { AGENT_MINOR_VERSION } from '../agent-version.js';
import { resolveContainerPort } from './container-port.js';
import type { ProbeOutcome } from './probe-outcome.js';
import { dialError, joinHostPort } from './tcp-probe.js';

/** The User-Agent of the kubelet's probes, unless the probe sets its own. */
export const PROBE_USER_AGENT = `kube-probe/${AGENT_MINOR_VERSION}`;

/** The most of a response body the kubelet reads (and puts in a redirect warning). */
const MAX_BODY = 10 * 1024;
/** Go's http.Client stops after ten requests in a redirect chain. */
const MAX_REQUESTS = 10;
/** The redirects Go's http.Client follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface HttpProbeRequest {
  /** As Go formats it, the port always written: what the kubelet's messages show. */
  url: string;
  /** Header lines in order, names as written. */
  headers: [string, string][];
}

/**
 * The GET an httpGet action makes: scheme (http unless HTTPS), host (the
 * pod's IP unless set), port by number or by the container's port name,
 * path, the action's headers, and the kubelet's User-Agent and an Accept of
 * anything unless the action sets them (an empty Accept sends none). Throws
 * when the port does not resolve.
 */
export function httpGetRequest(action: Record<string, any>, container: Record<string, any>, podIP: string): HttpProbeRequest {
  const scheme = String(action.scheme || 'HTTP').toLowerCase();
  const port = resolveContainerPort(action.port, container);
  const path = String(action.path ?? '');
  const url = `${scheme}://${joinHostPort(action.host || podIP, port)}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
  let headers: [string, string][] = (action.httpHeaders ?? []).map((h: Record<string, any>) => [h.name, h.value]);
  const first = (name: string) => headers.find(([n]) => n.toLowerCase() === name);
  if (!first('user-agent')) headers.push(['User-Agent', PROBE_USER_AGENT]);
  const accept = first('accept');
  if (!accept) headers.push(['Accept', '*/*']);
  else if (accept[1] === '') headers = headers.filter(([n]) => n.toLowerCase() !== 'accept');
  return { url, headers };
}

/**
 * An httpGet probe as the kubelet's prober runs it: 2xx is success, 3xx a
 * warning (a redirect to another host is not followed; one to the same host
 * is, up to ten requests), anything else a failure with the status code;
 * no connection or no answer within the timeout is a failure saying why.
 * TLS certificates are not checked, connections not kept. Throws when the
 * body cannot be read.
 */
export async function httpProbe(req: HttpProbeRequest, timeoutMs: number): Promise<ProbeOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const origin = new URL(req.url).hostname;
  let url = req.url;
  for (let requests = 1; ; requests++) {
    let res: IncomingMessage;
    try {
      res = await get(new URL(url), req.headers, signal);
    } catch (err) {
      return { result: 'failure', output: `Get ${JSON.stringify(url)}: ${requestError(err as NodeJS.ErrnoException, new URL(url), signal)}` };
    }
    const status = res.statusCode ?? 0;
    const next = REDIRECTS.has(status) ? redirectTarget(res.headers.location, url) : undefined;
    if (next && next.hostname === origin) {
      res.resume();
      url = next.href;
      if (requests >= MAX_REQUESTS) return { result: 'failure', output: `Get ${JSON.stringify(url)}: stopped after ${MAX_REQUESTS} redirects` };
      continue;
    }
    const body = await readAtMost(res, MAX_BODY);
    if (status >= 200 && status < 300) return { result: 'success', output: body };
    if (status >= 300 && status < 400) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` };
  }
}

function get(url: URL, headerLines: [string, string][], signal: AbortSignal): Promise<IncomingMessage> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of headerLines) {
    const prior = headers[name];
    headers[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [String(prior)]), value];
  }
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers, agent: false as const, signal };
    const req = url.protocol === 'https:'
      ? tlsRequest(url, { ...options, rejectUnauthorized: false }, resolve)
      : url.protocol === 'http:'
        ? plainRequest(url, options, resolve)
        : undefined;
    if (!req) {
      reject(new Error(`unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`));
      return;
    }
    req.once('error', reject);
    req.end();
  });
}

/** Where a redirect leads; none for a missing or unreadable Location. */
function redirectTarget(location: string | undefined, base: string): URL | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** Why a request got no response, in Go's http.Client words. */
function requestError(err: NodeJS.ErrnoException, url: URL, signal: AbortSignal): string {
  if (signal.aborted) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  if (err.syscall === 'connect' || err.code === 'ENOTFOUND') {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return dialError(err, url.hostname.replace(/^\[(.*)\]$/, '$1'), port);
  }
  return err.message;
}

async function readAtMost(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= max) {
      res.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
