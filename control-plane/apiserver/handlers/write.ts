import type { KObject } from '../../../api/kind.js';
import { badRequest, type StatusError } from '../../../api/status.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { admitShape, dryRun } from './decode.js';
import type { RequestContext } from './context.js';
import { applyPatch } from './patch.js';
import { respondObject } from './read.js';

/** Admission for namespaced writes that create: the namespace must exist and not be terminating. */
export type EnsureNamespace = (namespace: string, target: { group: string; resource: string; name?: string }) => Promise<void>;

function checkNamespace(ctx: RequestContext, obj: KObject): void {
  const ns = obj.metadata?.namespace;
  if (ctx.kind.namespaced && ns && ns !== ctx.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** A mutating admission step run on new objects before defaults and validation. */
export type MutatingAdmission = (obj: KObject, ctx: RequestContext) => Promise<void>;

export async function create(ctx: RequestContext, ensureNamespace: EnsureNamespace, admit?: MutatingAdmission): Promise<void> {
  const duplicateFields: string[] = [];
  const obj = admitShape(ctx, decodeObject(await readBody(ctx.req), mediaType(ctx.req), duplicateFields), ctx.kind, duplicateFields);
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  checkNamespace(ctx, obj);
  if (ctx.kind.namespaced) await ensureNamespace(ctx.info.namespace!, { group: ctx.kind.group, resource: ctx.kind.plural, name: obj.metadata.name });
  await admit?.(obj, ctx);
  await ctx.admit?.(obj);
  const created = await ctx.store.create(obj, ctx.info.namespace, { dryRun: dryRun(ctx.query) });
  respondObject(ctx, 201, created);
}

export async function update(ctx: RequestContext, ensureNamespace: EnsureNamespace): Promise<void> {
  const duplicateFields: string[] = [];
  const obj = admitShape(ctx, decodeObject(await readBody(ctx.req), mediaType(ctx.req), duplicateFields), ctx.kind, duplicateFields);
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  checkNamespace(ctx, obj);
  const name = ctx.info.name!;
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
  obj.metadata.name = name;
  try {
    const updated = await ctx.store.update(ctx.info.namespace, name, async (current) => {
      await ctx.admit?.(obj, current);
      return obj;
    }, { subresource: ctx.info.subresource, dryRun: dryRun(ctx.query) });
    respondObject(ctx, 200, updated);
  } catch (err) {
    const createInstead = (err as StatusError).code === 404 && ctx.kind.allowCreateOnUpdate && !ctx.info.subresource && !obj.metadata.resourceVersion;
    if (!createInstead) throw err;
    if (ctx.kind.namespaced) await ensureNamespace(ctx.info.namespace!, { group: ctx.kind.group, resource: ctx.kind.plural, name });
    await ctx.admit?.(obj);
    respondObject(ctx, 201, await ctx.store.create(obj, ctx.info.namespace, { dryRun: dryRun(ctx.query) }));
  }
}

export async function patch(ctx: RequestContext): Promise<void> {
  const body = await readBody(ctx.req);
  const type = mediaType(ctx.req);
  const name = ctx.info.name!;
  const updated = await ctx.store.update(ctx.info.namespace, name, async (current) => {
    const duplicateFields: string[] = [];
    const patched = applyPatch(ctx.kind, current, body, type, duplicateFields);
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
      throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    }
    // The patch carries the current resourceVersion unless it set its own:
    // only a patch that names a version is refused when another write wins.
    if (patched.metadata?.resourceVersion === current.metadata.resourceVersion) delete patched.metadata.resourceVersion;
    const obj = admitShape(ctx, patched, ctx.kind, duplicateFields);
    checkNamespace(ctx, obj);
    await ctx.admit?.(obj, current);
    return obj;
  }, { subresource: ctx.info.subresource, dryRun: dryRun(ctx.query) });
  respondObject(ctx, 200, updated);
}
