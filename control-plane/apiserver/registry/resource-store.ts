import { randomUUID } from 'node:crypto';
import type { Kind, KObject } from '../../../api/kind.js';
import { apiVersionOf } from '../../../api/kind.js';
import { clone, deepEqual } from '../../../api/deep-equal.js';
import { now, rfc3339 } from '../../../api/time.js';
import { validateObjectMeta } from '../../../api/object-meta.js';
import { alreadyExists, badRequest, conflict, forbidden as forbiddenError, gone, invalid, notFound, StatusError } from '../../../api/status.js';
import type { Cause } from '../../../api/validation/field-errors.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../../api/well-known.js';
import { CompactedError, type EtcdKV, type StoredKV } from '../storage/etcd-kv.js';
import { decode, encode, resourceVersionPieces, serialized, withResourceVersion } from '../storage/codec.js';
import { WatchCache } from '../storage/watch-cache.js';
import { generateNameSuffix } from './generate-name.js';
import { listPrefix, objectKey, resourcePrefix } from './keys.js';
import type { HookResult, WriteHooks } from './write-hooks.js';

export interface ListOptions {
  namespace?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  filter?: (obj: KObject) => boolean;
  /** Answer the items as their JSON bytes (in `json`), spliced from the stored bytes where it can be; not with a filter. */
  asJSON?: boolean;
}

export interface ListResult {
  items: KObject[];
  /** Each item's JSON as pieces of bytes, in place of `items`, when asked with asJSON. */
  json?: Buffer[][];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

const MAX_ATTEMPTS = 64;
/** Keys read from etcd per range request: big lists are read in pages, all at one revision. */
const ETCD_PAGE = 1000;

/** Everything but metadata and status: what a generation counts. */
function specOf(obj: KObject): KObject {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

interface Continue { rv: number; start: string }

function encodeContinue(c: Continue): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: c.rv, start: c.start })).toString('base64url');
}

function decodeContinue(token: string, prefix: string): Continue {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (typeof c.rv !== 'number' || typeof c.start !== 'string' || !c.start.startsWith(prefix) || c.start.includes('/../')) throw new Error('bad');
    return { rv: c.rv, start: c.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/**
 * One kind's objects in etcd, with Kubernetes' semantics: resourceVersion is
 * the etcd revision, writes are guarded by it, deletion honours finalizers.
 */
export class ResourceStore {
  readonly cache: WatchCache;
  private readonly target: { group: string; resource: string };

  constructor(readonly kind: Kind, private readonly kv: EtcdKV, private readonly hooks: WriteHooks = {}) {
    this.cache = new WatchCache(kv, resourcePrefix(kind));
    this.target = { group: kind.group, resource: kind.plural };
  }

  private t(name?: string) {
    return { ...this.target, name };
  }

  private key(namespace: string | undefined, name: string): string {
    return objectKey(this.kind, namespace, name);
  }

  async get(namespace: string | undefined, name: string): Promise<KObject> {
    const kv = await this.kv.get(this.key(namespace, name));
    if (!kv) throw notFound(this.t(name));
    return decode(kv.value, kv.modRevision);
  }

  private async getKV(namespace: string | undefined, name: string): Promise<StoredKV> {
    const kv = await this.kv.get(this.key(namespace, name));
    if (!kv) throw notFound(this.t(name));
    return kv;
  }

  /** A list read at one revision, paged by key with limit/continue. */
  async list(opts: ListOptions): Promise<ListResult> {
    const prefix = listPrefix(this.kind, opts.namespace);
    let revision = 0;
    let start: string | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue, resourcePrefix(this.kind));
      revision = c.rv;
      start = c.start;
      if (!start.startsWith(prefix)) throw badRequest('continue key is not valid: the key does not belong to this list');
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const rv = Number(opts.resourceVersion);
      if (!Number.isSafeInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${opts.resourceVersion}`);
      if (opts.resourceVersionMatch === 'Exact') revision = rv;
      else {
        const current = await this.kv.currentRevision();
        if (rv > current) throw new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { retryAfterSeconds: 1 });
      }
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KObject[] = [];
    const asJSON = opts.asJSON && !opts.filter;
    const json: Buffer[][] = [];
    const taken = () => (asJSON ? json.length : items.length);
    let more = false;
    let nextKey: string | undefined;
    try {
      for (;;) {
        const page = await this.kv.range(prefix, { revision, limit: limit ? Math.min(Math.max(limit - taken() + 1, 64), ETCD_PAGE) : ETCD_PAGE, startKey: start });
        // The first page fixes the snapshot; later ones are read at that revision.
        if (!revision) revision = page.revision;
        let i = 0;
        for (; i < page.kvs.length; i++) {
          const kv = page.kvs[i];
          if (limit && taken() === limit) {
            more = true;
            nextKey = kv.key;
            break;
          }
          if (asJSON) {
            json.push(resourceVersionPieces(kv.value, kv.modRevision) ?? [Buffer.from(JSON.stringify(this.typed(decode(kv.value, kv.modRevision))))]);
            continue;
          }
          const obj = decode(kv.value, kv.modRevision);
          if (!opts.filter || opts.filter(obj)) items.push(obj);
        }
        if (more || !page.more) break;
        start = page.kvs[page.kvs.length - 1].key + '\x00';
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        throw opts.continue
          ? gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
          : gone(`too old resource version: ${revision}`);
      }
      throw err;
    }
    const found = asJSON ? { items, json } : { items };
    if (!more) return { ...found, resourceVersion: String(revision) };
    // Without a filter the rest can be counted exactly, as kube-apiserver reports it.
    const remainingItemCount = opts.filter ? undefined : await this.kv.count(prefix, nextKey!, revision);
    return { ...found, resourceVersion: String(revision), continue: encodeContinue({ rv: revision, start: nextKey! }), remainingItemCount };
  }

  /** The object with its kind and apiVersion, as list items carry them. */
  typed(obj: KObject): KObject {
    obj.apiVersion ??= apiVersionOf(this.kind);
    obj.kind ??= this.kind.kind;
    return obj;
  }

  /** Validates and defaults a new object; throws a Status on bad input. */
  prepareCreate(obj: KObject, namespace: string | undefined): KObject {
    const meta = obj.metadata ?? {};
    obj.metadata = meta;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.kind.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateNameSuffix()}`;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (this.kind.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    this.kind.prepareForCreate?.(obj);
    this.kind.defaults?.(obj);
    this.validate(obj);
    return obj;
  }

  private validate(obj: KObject, old?: KObject): void {
    const causes: Cause[] = [
      ...validateObjectMeta(obj.metadata, this.kind.namespaced, this.kind.nameRule),
      ...(this.kind.validate?.(obj, old) ?? []),
    ];
    if (old) causes.push(...immutableMeta(obj.metadata, old.metadata));
    if (causes.length) throw invalid(this.kind.kind, this.kind.group, obj.metadata?.name ?? '', causes);
  }

  async create(obj: KObject, namespace: string | undefined, opts: { dryRun?: boolean } = {}): Promise<KObject> {
    this.prepareCreate(obj, namespace);
    const name = obj.metadata.name as string;
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const extras: HookResult = (await this.hooks.create?.(obj)) ?? {};
      if (opts.dryRun) return obj;
      const value = encode(obj);
      const res = await this.kv.create(key, value, extras);
      if ('revision' in res) {
        obj.metadata.resourceVersion = String(res.revision);
        remember(obj, value, res.revision);
        return obj;
      }
      if (res.failed === 'exists') throw alreadyExists(this.t(name));
      if (extras.conflict) throw extras.conflict();
    }
    throw conflict(this.t(name), 'too many concurrent allocations, please retry');
  }

  /**
   * Read-modify-write guarded by the revision read. `mutate` gets a copy of
   * the current object and returns the desired one; an explicit
   * resourceVersion in the desired object must match or the update is a
   * Conflict, otherwise the store retries on concurrent writes.
   */
  async update(
    namespace: string | undefined,
    name: string,
    mutate: (current: KObject) => KObject | Promise<KObject>,
    opts: { subresource?: string; dryRun?: boolean } = {},
  ): Promise<KObject> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.getKV(namespace, name);
      const old = decode(kv.value, kv.modRevision);
      const desired = await mutate(clone(old));
      const wanted = desired.metadata?.resourceVersion;
      if (wanted && wanted !== old.metadata.resourceVersion) {
        throw conflict(this.t(name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = this.prepareUpdate(desired, old, opts.subresource);
      if (deepEqual(next, old) && !kv.stale) return old;
      if (this.finishesDeletion(next)) {
        if (opts.dryRun) return next;
        const extras = (await this.hooks.delete?.(old)) ?? {};
        const res = await this.kv.delete(key, kv.modRevision, extras);
        if ('revision' in res) {
          next.metadata.resourceVersion = String(res.revision);
          return next;
        }
        if (wanted) throw conflict(this.t(name), 'the object has been modified; please apply your changes to the latest version and try again');
        continue;
      }
      const extras: HookResult = (await this.hooks.update?.(next, old)) ?? {};
      if (opts.dryRun) return next;
      const value = encode(next);
      const res = await this.kv.update(key, value, kv.modRevision, extras);
      if ('revision' in res) {
        next.metadata.resourceVersion = String(res.revision);
        remember(next, value, res.revision);
        return next;
      }
      if (res.failed === 'extras' && extras.conflict) throw extras.conflict();
      if (wanted) throw conflict(this.t(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw conflict(this.t(name), 'the object is being modified by too many writers, please retry');
  }

  /** An update that leaves a deleted object nothing to wait for removes it. */
  private finishesDeletion(obj: KObject): boolean {
    const meta = obj.metadata;
    return !!meta.deletionTimestamp && !meta.finalizers?.length && !meta.deletionGracePeriodSeconds && !this.kind.holdDeletion?.(clone(obj));
  }

  /** Applies Kubernetes' update strategy: server-owned metadata, the status split, generation. */
  private prepareUpdate(desired: KObject, old: KObject, subresource?: string): KObject {
    let next: KObject;
    // A binding is the server's own change (nodeName and the PodScheduled
    // condition): it bypasses the pod's update rules and the status split.
    const internal = subresource === 'binding';
    if (internal) {
      next = desired;
    } else if (subresource === 'status' || subresource === 'approval') {
      // Status-like subresources change only status; the kind says which parts (a CSR's approval, its conditions).
      next = clone(old);
      next.status = desired.status;
      if (desired.status === undefined) delete next.status;
      if (subresource === 'status' && this.kind.statusUpdatesAnnotations) next.metadata.annotations = desired.metadata?.annotations;
    } else {
      next = desired;
      next.metadata ??= {};
      if (this.kind.subresources?.status) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
    }
    const meta = next.metadata;
    const oldMeta = old.metadata;
    next.apiVersion = apiVersionOf(this.kind);
    next.kind = this.kind.kind;
    meta.name = oldMeta.name;
    if (this.kind.namespaced) meta.namespace = oldMeta.namespace;
    if (meta.uid && meta.uid !== oldMeta.uid) {
      throw invalid(this.kind.kind, this.kind.group, oldMeta.name, [{ reason: 'FieldValueInvalid', field: 'metadata.uid', message: `metadata.uid: Invalid value: ${JSON.stringify(meta.uid)}: field is immutable` }]);
    }
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.resourceVersion = oldMeta.resourceVersion;
    delete meta.selfLink;
    for (const f of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (oldMeta[f] === undefined) delete meta[f];
      else meta[f] = oldMeta[f];
    }
    if (meta.deletionTimestamp && meta.finalizers) {
      const added = (meta.finalizers as string[]).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length) {
        throw invalid(this.kind.kind, this.kind.group, meta.name, [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
      }
    }
    if (Array.isArray(meta.finalizers) && meta.finalizers.length === 0) delete meta.finalizers;
    if (this.kind.hasGeneration && subresource !== 'status' && !deepEqual(specOf(next), specOf(old))) {
      meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    this.kind.prepareForUpdate?.(next, old, subresource);
    this.kind.defaults?.(next);
    this.validate(next, internal ? undefined : old);
    return next;
  }

  /**
   * Deletes now, or marks the object for deletion when finalizers (or a
   * graceful pod termination) must run first; answers the object as it then is.
   */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.getKV(namespace, name);
      const current = decode(kv.value, kv.modRevision);
      checkPreconditions(this.t(name), current, opts.preconditions);
      const forbidden = this.kind.forbidDeletion?.(current);
      if (forbidden) throw forbiddenError(this.t(name), forbidden);
      const marked = this.markForDeletion(clone(current), opts);
      if (marked) {
        if (opts.dryRun || deepEqual(marked, current)) return { object: marked, deleted: false };
        const res = await this.kv.update(key, encode(marked), kv.modRevision);
        if ('revision' in res) {
          marked.metadata.resourceVersion = String(res.revision);
          return { object: marked, deleted: false };
        }
        continue;
      }
      if (opts.dryRun) return { object: current, deleted: true };
      const extras = (await this.hooks.delete?.(current)) ?? {};
      const res = await this.kv.delete(key, kv.modRevision, extras);
      if ('revision' in res) return { object: current, deleted: true };
    }
    throw conflict(this.t(name), 'the object is being modified by too many writers, please retry');
  }

  /** The object with deletion pending, or undefined when it can go at once. */
  private markForDeletion(obj: KObject, opts: DeleteOptions): KObject | undefined {
    const meta = obj.metadata;
    const grace = this.gracePeriod(obj, opts);
    const pendingGrace = meta.deletionTimestamp ? meta.deletionGracePeriodSeconds ?? 0 : 0;
    const shortens = pendingGrace > 0 && (grace ?? 0) < pendingGrace;
    // As in kube, a graceful termination under way keeps its finalizers
    // unless the delete shortens it; any other delete, of an object already
    // deleting too, sets the GC finalizers its options ask for (orphan → foreground, say).
    if (!pendingGrace || shortens) {
      const finalizers = garbageCollectionFinalizers(this.kind, meta.finalizers ?? [], opts.propagationPolicy);
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
    }
    const held = this.kind.holdDeletion?.(obj) ?? false;
    if (!meta.finalizers?.length && !grace && !held) return undefined;
    if (!meta.deletionTimestamp) {
      // kube bumps the generation of an object whose deletion starts, so controllers see the change of intent.
      if (meta.generation > 0) meta.generation++;
      meta.deletionTimestamp = grace ? rfc3339(Date.now() + grace * 1000) : now();
      meta.deletionGracePeriodSeconds = grace ?? 0;
    } else if (shortens) {
      meta.deletionTimestamp = grace ? rfc3339(Date.now() + grace * 1000) : now();
      meta.deletionGracePeriodSeconds = grace ?? 0;
    }
    return obj;
  }

  /** A pod on a node terminates gracefully; the node's agent finishes the deletion. */
  private gracePeriod(obj: KObject, opts: DeleteOptions): number | undefined {
    if (!this.kind.gracefulDeletion?.(obj)) return undefined;
    const grace = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    return grace > 0 ? grace : undefined;
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }
}

function remember(obj: KObject, value: Buffer, revision: number): void {
  const json = withResourceVersion(value, revision);
  if (json) serialized.set(obj, json);
}

/**
 * kube's DefaultGarbageCollectionPolicy where it is not Background, by
 * apiVersion/kind: events never take GC finalizers; batch/v1 Jobs orphan
 * their pods unless told otherwise, for backwards compatibility.
 */
const DEFAULT_GC_POLICY: Record<string, 'Orphan' | 'Unsupported'> = {
  'v1/Event': 'Unsupported',
  'events.k8s.io/v1/Event': 'Unsupported',
  'batch/v1/Job': 'Orphan',
};

/**
 * kube's deletionFinalizersForGarbageCollection: the finalizers after a
 * delete, with `orphan` and `foregroundDeletion` decided by the delete's
 * policy first, then by whichever of them the object already carries, then
 * by the kind's default. An unchanged set keeps its order.
 */
function garbageCollectionFinalizers(kind: Kind, finalizers: string[], policy: DeleteOptions['propagationPolicy']): string[] {
  const kindPolicy = DEFAULT_GC_POLICY[`${apiVersionOf(kind)}/${kind.kind}`];
  const existing = finalizers.find((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER);
  let orphan = false;
  let foreground = false;
  if (kindPolicy !== 'Unsupported') {
    orphan = policy ? policy === 'Orphan' : existing ? existing === ORPHAN_FINALIZER : kindPolicy === 'Orphan';
    foreground = policy ? policy === 'Foreground' : existing === FOREGROUND_FINALIZER;
  }
  const next = finalizers.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) next.push(ORPHAN_FINALIZER);
  if (foreground) next.push(FOREGROUND_FINALIZER);
  const before = new Set(finalizers);
  const after = new Set(next);
  return before.size === after.size && [...after].every((f) => before.has(f)) ? finalizers : next;
}

function checkPreconditions(t: { group: string; resource: string; name?: string }, obj: KObject, pre?: DeleteOptions['preconditions']): void {
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(t, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(t, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
}

function immutableMeta(meta: KObject, old: KObject): Cause[] {
  return meta.generateName !== undefined && old.generateName !== undefined && meta.generateName !== old.generateName
    ? [{ reason: 'FieldValueInvalid', field: 'metadata.generateName', message: `metadata.generateName: Invalid value: ${JSON.stringify(meta.generateName)}: field is immutable` }]
    : [];
}
