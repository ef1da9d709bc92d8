import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { StatusError, internal, notAcceptable } from '../../../api/status.js';

export type Format = 'json' | 'yaml' | 'table';

/**
 * Content negotiation: JSON unless the client asks for YAML, or for a
 * meta.k8s.io Table (what kubectl get asks for). Protobuf is refused with
 * 406 only when the client accepts nothing else.
 */
export function negotiate(req: IncomingMessage): Format {
  const accept = String(req.headers.accept ?? '');
  if (!accept) return 'json';
  for (const clause of accept.split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((y) => y.trim())));
    if (p.as === 'Table' && (type === 'application/json' || type === '*/*') && p.g === 'meta.k8s.io') return 'table';
    if (p.as) continue;
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/json-seq') return 'json';
    if (type === 'application/yaml') return 'yaml';
  }
  throw notAcceptable(accept);
}

export function send(res: ServerResponse, code: number, body: unknown, format: Format = 'json', headers: Record<string, string> = {}): void {
  const yaml = format === 'yaml';
  const text = yaml ? toYaml(body) : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': yaml ? 'application/yaml' : 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

export function sendRaw(res: ServerResponse, code: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  return internal((err as Error)?.message ?? String(err));
}

export function sendError(res: ServerResponse, err: unknown): void {
  const status = toStatusError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (status.details?.retryAfterSeconds) headers['Retry-After'] = String(status.details.retryAfterSeconds);
  send(res, status.code, status.toStatus(), 'json', headers);
}
