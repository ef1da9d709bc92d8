import { Etcd3, type IOptions, type Lease } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import { asBuffer, EtcdThread, type WatchHandlers } from './etcd-thread-client.js';
import type { Transformer } from './encryption/transformer.js';
import type { ThreadWatchEvent } from './etcd-thread-protocol.js';
import { log } from '../../../client/log.js';

/** One key as etcd holds it; modRevision is the object's resourceVersion. */
export interface StoredKV {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
  /** Stored under an encryption key other than the current one: an update should rewrite it even when nothing changed. */
  stale?: boolean;
}

/** Values under `prefix` pass through `transformer` on their way into etcd and back (encryption at rest). */
export interface StorageTransform {
  prefix: string;
  transformer: Transformer;
}

/** Extra comparisons and operations that ride in the same transaction as a write. */
export interface TxnExtras {
  compares?: RPC.ICompare[];
  ops?: RPC.IRequestOp[];
}

export class CompactedError extends Error {
  constructor(readonly revision: number, readonly compactRevision?: number) {
    super(`required revision ${revision} has been compacted`);
  }
}

const toKV = (kv: RPC.IKeyValue): StoredKV => ({
  key: kv.key.toString(),
  value: kv.value,
  modRevision: Number(kv.mod_revision),
  createRevision: Number(kv.create_revision),
});

/** The end of a prefix range: the prefix with its last byte incremented. */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

const isCompacted = (err: unknown) => /compacted/i.test(String((err as Error)?.message ?? err));

export const putOp = (key: string, value: Buffer | string): RPC.IRequestOp =>
  ({ request_put: { key: Buffer.from(key), value: Buffer.isBuffer(value) ? value : Buffer.from(value) } });
export const deleteOp = (key: string): RPC.IRequestOp => ({ request_delete_range: { key: Buffer.from(key) } });
export const absent = (key: string): RPC.ICompare =>
  ({ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 });
export const modifiedAt = (key: string, revision: number): RPC.ICompare =>
  ({ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: revision });

/**
 * The only door to etcd. Every write is a transaction guarded by the key's
 * revision, so concurrent writers never overwrite each other unseen. Writes,
 * single-key reads and watches run on the etcd thread; pages of a list are
 * read here, rather than copied across threads.
 */
export class EtcdKV {
  private readonly client: Etcd3;
  private readonly kv: EtcdThread;

  constructor(options: IOptions, private readonly transforms: StorageTransform[] = []) {
    this.client = new Etcd3(options);
    this.kv = new EtcdThread(options);
  }

  private transformerFor(key: string): Transformer | undefined {
    for (const t of this.transforms) if (key.startsWith(t.prefix)) return t.transformer;
    return undefined;
  }

  /** A stored key as the layers above see it: decrypted, and marked stale when under an old key. */
  private plain(kv: StoredKV): StoredKV {
    const t = this.transformerFor(kv.key);
    if (!t) return kv;
    return { ...kv, value: t.fromStorage(kv.value, kv.key), stale: t.isStale(kv.value) };
  }

  private stored(key: string, value: Buffer): Buffer {
    return this.transformerFor(key)?.toStorage(value, key) ?? value;
  }

  async get(key: string): Promise<StoredKV | undefined> {
    const res = await this.kv.range({ key: Buffer.from(key) });
    const kv = res.kvs[0];
    return kv && this.plain({ ...kv, value: asBuffer(kv.value) });
  }

  /** Writes `value` only if `key` does not exist; answers the new revision, or undefined if it did. */
  async create(key: string, value: Buffer, extras: TxnExtras = {}): Promise<{ revision: number } | { failed: 'exists' | 'extras' }> {
    return this.guardedWrite([absent(key), ...(extras.compares ?? [])], [putOp(key, this.stored(key, value)), ...(extras.ops ?? [])], key);
  }

  async update(key: string, value: Buffer, expected: number, extras: TxnExtras = {}): Promise<{ revision: number } | { failed: 'exists' | 'extras' }> {
    return this.guardedWrite([modifiedAt(key, expected), ...(extras.compares ?? [])], [putOp(key, this.stored(key, value)), ...(extras.ops ?? [])], key);
  }

  async delete(key: string, expected: number, extras: TxnExtras = {}): Promise<{ revision: number } | { failed: 'exists' | 'extras' }> {
    return this.guardedWrite([modifiedAt(key, expected), ...(extras.compares ?? [])], [deleteOp(key), ...(extras.ops ?? [])], key);
  }

  /**
   * Runs a guarded transaction; on failure it tells whether the key's own
   * guard failed ('exists': the caller's view of the key is stale) or one of
   * the extra guards did.
   */
  private async guardedWrite(compare: RPC.ICompare[], success: RPC.IRequestOp[], key: string) {
    const res = await this.kv.txn({ compare, success, failure: [{ request_range: { key: Buffer.from(key) } }] });
    if (res.succeeded) return { revision: res.revision };
    const own = compare[0];
    const current = res.kvs[0];
    const ownHolds = own.target === 'Create' ? !current : !!current && current.modRevision === Number(own.mod_revision);
    return { failed: ownHolds ? 'extras' as const : 'exists' as const };
  }

  /**
   * An etcd lease of `ttlSeconds`, kept alive by the client until revoked;
   * keys put under it vanish when this server stops renewing it.
   */
  lease(ttlSeconds: number): Lease {
    return this.client.lease(ttlSeconds, { autoKeepAlive: true });
  }

  /** A page of keys under `prefix`, read at one revision (the newest when 0). */
  async range(prefix: string, opts: { revision?: number; limit?: number; startKey?: string; keysOnly?: boolean } = {}) {
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
        keys_only: opts.keysOnly ?? false,
      });
      return { kvs: res.kvs.map((kv) => this.plain(toKV(kv))), revision: Number(res.header.revision), more: res.more, count: Number(res.count) };
    } catch (err) {
      if (isCompacted(err)) throw new CompactedError(opts.revision ?? 0);
      throw err;
    }
  }

  /** How many keys under `prefix` sort at or after `startKey`, at `revision`. */
  async count(prefix: string, startKey: string, revision: number): Promise<number> {
    const res = await this.kv.range({ key: Buffer.from(startKey), range_end: prefixEnd(prefix), revision, count_only: true });
    return Number(res.count);
  }

  async currentRevision(): Promise<number> {
    const res = await this.kv.range({ key: Buffer.from('/registry/'), range_end: prefixEnd('/registry/'), count_only: true });
    return res.revision;
  }

  /**
   * The oldest revision at or after `wanted` that etcd still holds, found by
   * probing reads, since etcd does not say where it last compacted.
   */
  async oldestReadableRevision(wanted: number, current: number): Promise<number> {
    const readable = async (rev: number) => {
      try {
        await this.kv.range({ key: Buffer.from('/registry/'), range_end: prefixEnd('/registry/'), revision: rev, count_only: true });
        return true;
      } catch (err) {
        if (isCompacted(err)) return false;
        throw err;
      }
    };
    let lo = Math.max(1, wanted);
    if (lo >= current || (await readable(lo))) return Math.min(lo, current);
    let hi = current;
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** Watches every key under `prefix` from `startRevision`, with the previous value of each change. */
  watch(prefix: string, startRevision: number, handlers: WatchHandlers): Promise<{ cancel(): Promise<void> }> {
    const t = this.transformerFor(prefix);
    if (!t) return this.kv.watch(prefix, startRevision, handlers);
    const plain = (e: ThreadWatchEvent): ThreadWatchEvent[] => {
      try {
        return [{
          ...e,
          value: e.deleted ? e.value : t.fromStorage(asBuffer(e.value), e.key),
          previous: e.previous && { ...e.previous, value: t.fromStorage(asBuffer(e.previous.value), e.key) },
        }];
      } catch (err) {
        // Unreadable with the configured keys: a GET of it fails too. Watchers cannot be given it.
        log.error('watch event could not be decrypted; skipped', { key: e.key, revision: e.modRevision, error: (err as Error).message });
        return [];
      }
    };
    return this.kv.watch(prefix, startRevision, {
      events: (events) => handlers.events(events.flatMap(plain)),
      failed: handlers.failed,
    });
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.kv.compact({ revision, physical: false });
    } catch (err) {
      if (!isCompacted(err)) throw err;
    }
  }

  close(): void {
    this.kv.close();
    this.client.close();
  }
}
