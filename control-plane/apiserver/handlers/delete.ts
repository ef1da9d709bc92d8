import { apiVersionOf } from '../../../api/kind.js';
import { badRequest, invalid } from '../../../api/status.js';
import { decodeProtobufObject } from '../../../api/protobuf/wire-decoder.js';
import { decodeBody, mediaType, PROTOBUF, readBody } from '../http/body.js';
import { send } from '../http/respond.js';
import { objectFilter } from '../object-filter.js';
import type { DeleteOptions } from '../registry/resource-store.js';
import type { RequestContext } from './context.js';
import { dryRun } from './decode.js';
import { respondObject } from './read.js';
import { queryBool, queryInt64 } from '../http/query.js';

const POLICIES = ['Orphan', 'Background', 'Foreground'];

/** DeleteOptions from the body (kubectl sends one) merged with the query's; `orphanDependents` as sent, when it was. */
async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions & { orphanDependents?: boolean }> {
  const body = await readBody(ctx.req);
  let fromBody: Record<string, any> = {};
  if (body.length && body.toString().trim()) {
    const type = mediaType(ctx.req);
    const v = type === PROTOBUF ? decodeProtobufObject(body) : decodeBody(body, type, ['application/json', 'application/yaml', '']);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('the body of a delete must be a DeleteOptions object');
    fromBody = v as Record<string, any>;
  }
  const q = ctx.query;
  const graceRaw = queryInt64(q, 'gracePeriodSeconds') ?? fromBody.gracePeriodSeconds ?? undefined;
  // A body's number is held to int64 as Go's decoder holds it; 2^63 is the first double past it.
  if (graceRaw !== undefined && (!Number.isInteger(graceRaw) || Math.abs(graceRaw) >= 2 ** 63)) {
    throw badRequest(`json: cannot unmarshal number ${graceRaw} into Go struct field DeleteOptions.gracePeriodSeconds of type int64`);
  }
  const grace: number | undefined = graceRaw;
  let policy = q.get('propagationPolicy') ?? fromBody.propagationPolicy ?? undefined;
  const orphan = queryBool(q, 'orphanDependents') ?? fromBody.orphanDependents ?? undefined;
  // kube validates DeleteOptions as an object of its own: a bad policy is Invalid, not a bad request.
  if (orphan !== undefined && policy !== undefined) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ reason: 'FieldValueInvalid', field: 'propagationPolicy', message: `propagationPolicy: Invalid value: ${JSON.stringify(policy)}: orphanDependents and deletionPropagation cannot be both set` }]);
  }
  if (policy !== undefined && !POLICIES.includes(policy)) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"` }]);
  }
  const orphanDependents = orphan === undefined ? undefined : orphan === true;
  if (orphanDependents !== undefined) policy = orphanDependents ? 'Orphan' : 'Background';
  const pre = fromBody.preconditions;
  if (pre !== undefined && (typeof pre !== 'object' || pre === null)) throw badRequest('preconditions must be an object');
  return {
    gracePeriodSeconds: grace !== undefined && grace < 0 ? 1 : grace,
    propagationPolicy: policy,
    preconditions: pre,
    dryRun: dryRun(q) || (Array.isArray(fromBody.dryRun) && fromBody.dryRun.includes('All')),
    orphanDependents,
  };
}

export async function remove(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  if (ctx.admit) {
    const existing = await ctx.store.get(ctx.info.namespace, ctx.info.name!);
    await ctx.admit(existing, existing);
  }
  const { object, deleted } = await ctx.store.delete(ctx.info.namespace, ctx.info.name!, opts);
  if (deleted && !ctx.kind.returnDeletedObject) {
    send(ctx.res, 200, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: object.metadata.name, group: ctx.kind.group || undefined, kind: ctx.kind.plural, uid: object.metadata.uid },
    }, ctx.format === 'yaml' ? 'yaml' : 'json');
    return;
  }
  // kube answers 202 only to a delete left pending that asked for cascading with orphanDependents=false.
  respondObject(ctx, !deleted && opts.orphanDependents === false ? 202 : 200, object);
}

export async function removeCollection(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const { items } = await ctx.store.list({ namespace: ctx.info.namespace, filter: objectFilter(ctx.kind, ctx.query) });
  for (const item of items) await ctx.admit?.(item, item);
  const removed = [];
  for (const item of items) {
    try {
      removed.push((await ctx.store.delete(item.metadata.namespace, item.metadata.name, opts)).object);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  send(ctx.res, 200, { kind: `${ctx.kind.kind}List`, apiVersion: apiVersionOf(ctx.kind), metadata: {}, items: removed }, ctx.format === 'yaml' ? 'yaml' : 'json');
}
