import type { KObject } from '../../../api/kind.js';
import { apiVersionOf } from '../../../api/kind.js';
import { badRequest } from '../../../api/status.js';
import { send } from '../http/respond.js';
import { serialized } from '../storage/codec.js';
import { objectFilter } from '../object-filter.js';
import { toTable, type IncludeObject } from '../table.js';
import type { RequestContext } from './context.js';

export function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject parameter unsupported: ${v}`);
  return v;
}

function warningHeaders(ctx: RequestContext): Record<string, string> {
  if (!ctx.warnings.length) return {};
  return { Warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

/** Answers one object as JSON, YAML or a one-row Table. */
export function respondObject(ctx: RequestContext, code: number, obj: KObject): void {
  if (ctx.format === 'table') {
    send(ctx.res, code, toTable(ctx.kind, [obj], { resourceVersion: obj.metadata?.resourceVersion }, includeObject(ctx.query)), 'json', warningHeaders(ctx));
    return;
  }
  const json = ctx.format === 'json' ? serialized.get(obj) : undefined;
  if (json) {
    ctx.res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...warningHeaders(ctx) });
    ctx.res.end(json);
    return;
  }
  send(ctx.res, code, obj, ctx.format, warningHeaders(ctx));
}

export async function get(ctx: RequestContext): Promise<void> {
  const obj = await ctx.store.get(ctx.info.namespace, ctx.info.name!);
  respondObject(ctx, 200, obj);
}

export function parseLimit(query: URLSearchParams): number | undefined {
  const raw = query.get('limit');
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${raw}`);
  return n;
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

export async function list(ctx: RequestContext): Promise<void> {
  const { query, kind } = ctx;
  const match = query.get('resourceVersionMatch') ?? undefined;
  if (match && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}"`);
  if (match && !query.get('resourceVersion')) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  const result = await ctx.store.list({
    namespace: ctx.info.namespace,
    limit: parseLimit(query),
    continue: query.get('continue') ?? undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    resourceVersionMatch: match,
    filter: objectFilter(kind, query),
    asJSON: ctx.format === 'json',
  });
  const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) metadata.continue = result.continue;
  if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
  if (ctx.format === 'table') {
    send(ctx.res, 200, toTable(kind, result.items, metadata, includeObject(query)));
    return;
  }
  const apiVersion = apiVersionOf(kind);
  if (result.json) {
    // Items spliced from the stored bytes: the list is written around them.
    const head = JSON.stringify({ kind: `${kind.kind}List`, apiVersion, metadata });
    const pieces: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"items":[`)];
    result.json.forEach((item, i) => {
      if (i) pieces.push(COMMA);
      pieces.push(...item);
    });
    pieces.push(CLOSE);
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    ctx.res.end(Buffer.concat(pieces));
    return;
  }
  for (const item of result.items) ctx.store.typed(item);
  send(ctx.res, 200, { kind: `${kind.kind}List`, apiVersion, metadata, items: result.items }, ctx.format);
}
