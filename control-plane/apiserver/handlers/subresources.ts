import type { KObject, ScaleSubresource } from '../../../api/kind.js';
import { badRequest, conflict, invalid, methodNotAllowed, notFound } from '../../../api/status.js';
import { checkStructure } from '../../../api/validation/structural.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { send } from '../http/respond.js';
import type { RequestContext } from './context.js';
import { dryRun } from './decode.js';
import { applyPatch } from './patch.js';
import { scaleKind } from '../../../api/subresources/scale.js';
import { formatLabelSelector } from '../../../api/validation/pod-spec.js';
import { selectorFromSet } from '../../../api/selectors/label-selector.js';
import { now } from '../../../api/time.js';

const at = (obj: KObject, path: string[]) => path.reduce<any>((o, k) => o?.[k], obj);

function setAt(obj: KObject, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k] ??= {};
  o[path[path.length - 1]] = value;
}

/** Scale.status.selector: the selector in its string form. */
function scaleSelector(selector: unknown, scale: ScaleSubresource): string {
  if (typeof selector === 'string') return selector;
  return scale.labelSelectorIsMap ? selectorFromSet(selector as Record<string, string> | undefined).toString() : formatLabelSelector(selector);
}

/** The autoscaling/v1 Scale view of a scalable object. */
function toScale(obj: KObject, scale: ScaleSubresource): KObject {
  const selector = at(obj, scale.labelSelectorPath);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: at(obj, scale.specReplicasPath) ?? 0 },
    status: { replicas: at(obj, scale.statusReplicasPath) ?? 0, selector: scaleSelector(selector, scale) },
  };
}

export async function scale(ctx: RequestContext): Promise<void> {
  const spec = ctx.kind.subresources?.scale;
  if (!spec) throw notFound({ group: ctx.kind.group, resource: `${ctx.kind.plural}/scale`, name: ctx.info.name });
  const { namespace, name } = ctx.info;
  const method = ctx.req.method;
  if (method === 'GET') {
    send(ctx.res, 200, toScale(await ctx.store.get(namespace, name!), spec), ctx.format === 'yaml' ? 'yaml' : 'json');
    return;
  }
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  const body = await readBody(ctx.req);
  const type = mediaType(ctx.req);
  const updated = await ctx.store.update(namespace, name!, (current) => {
    const before = toScale(current, spec);
    const desired = method === 'PUT' ? decodeObject(body, type) : applyPatch(scaleKind, before, body, type);
    const { typeErrors } = checkStructure(desired, scaleKind.schema);
    if (typeErrors.length) throw badRequest(`Scale in version "v1" cannot be handled as a Scale: ${typeErrors.join('; ')}`);
    // Scale.spec.replicas is omitempty in Go: a client asking for 0 sends no replicas at all.
    const replicas = desired.spec?.replicas ?? 0;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0` }]);
    }
    const wanted = desired.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) {
      throw conflict({ group: ctx.kind.group, resource: ctx.kind.plural, name }, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    setAt(current, spec.specReplicasPath, replicas);
    return current;
  }, { dryRun: dryRun(ctx.query) });
  send(ctx.res, 200, toScale(updated, spec), ctx.format === 'yaml' ? 'yaml' : 'json');
}

/** pods/binding: assigns an unscheduled pod to a node, once. */
export async function binding(ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  const name = ctx.info.name!;
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  const node = body.target?.name;
  if (typeof node !== 'string' || !node) {
    throw invalid('Binding', '', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'target.name: Required value' }]);
  }
  if (body.target.kind && body.target.kind !== 'Node') {
    throw invalid('Binding', '', name, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `target.kind: Unsupported value: ${JSON.stringify(body.target.kind)}: supported values: "Node"` }]);
  }
  const t = { group: '', resource: 'pods', name };
  await ctx.store.update(ctx.info.namespace, name, (pod) => {
    if (pod.metadata.deletionTimestamp) throw conflict(t, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict(t, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    const uid = body.metadata?.uid;
    if (uid && uid !== pod.metadata.uid) throw conflict(t, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    pod.spec.nodeName = node;
    const annotations = body.metadata?.annotations;
    if (annotations && typeof annotations === 'object') pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations };
    pod.status ??= {};
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() };
    pod.status.conditions = [...(pod.status.conditions ?? []).filter((c: KObject) => c.type !== 'PodScheduled'), scheduled];
    return pod;
  }, { subresource: 'binding', dryRun: dryRun(ctx.query) });
  send(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** namespaces/finalize: the namespace controller's way to clear spec.finalizers. */
export async function finalize(ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'PUT') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  const finalizers = body.spec?.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string')) throw badRequest('spec.finalizers must be a list of strings');
  const updated = await ctx.store.update(undefined, ctx.info.name!, (ns) => {
    const wanted = body.metadata?.resourceVersion;
    if (wanted && wanted !== ns.metadata.resourceVersion) throw conflict({ group: '', resource: 'namespaces', name: ctx.info.name }, 'the object has been modified; please apply your changes to the latest version and try again');
    ns.spec = { ...ns.spec, finalizers };
    return ns;
  });
  send(ctx.res, 200, updated, ctx.format === 'yaml' ? 'yaml' : 'json');
}
