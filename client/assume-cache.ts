import type { AnyObject } from './resource.js';
import { objectKey, type Store } from './store.js';

/** Orders resourceVersions, which are etcd revisions; anything else compares equal. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The informer cache an assume cache reads through. */
export type AssumeCacheSource = Pick<Store<AnyObject>, 'get' | 'list' | 'byIndex'>;

/**
 * kube's assume cache: an informer's objects overlaid with versions this
 * component knows to be newer than what the informer has delivered. The
 * scheduler assumes the objects it is about to write (a volume prebound to
 * a claim, a claim given a selected node) so the next cycles see them; the
 * PV controller records the objects its writes answered with, so its next
 * sync does not act on older copies and bind what it has just bound
 * elsewhere. An own version gives way once the informer delivers a newer
 * version, or the object is gone or was made anew.
 */
export class AssumeCache {
  private readonly own = new Map<string, AnyObject>();

  constructor(readonly description: string, private readonly source: AssumeCacheSource) {}

  private latest(key: string, current: AnyObject | undefined): AnyObject | undefined {
    const mine = this.own.get(key);
    if (!mine) return current;
    if (current && current.metadata.uid === mine.metadata.uid
      && compareResourceVersions(current.metadata.resourceVersion, mine.metadata.resourceVersion) <= 0) return mine;
    this.own.delete(key);
    return current;
  }

  get(key: string): AnyObject | undefined {
    return this.latest(key, this.source.get(key));
  }

  /** The object as the API server last sent it, ignoring assumptions. */
  apiObject(key: string): AnyObject | undefined {
    return this.source.get(key);
  }

  list(): AnyObject[] {
    return this.source.list().map((o) => this.latest(objectKey(o), o)!);
  }

  byIndex(index: string, value: string): AnyObject[] {
    return this.source.byIndex(index, value).map((o) => this.latest(objectKey(o), o)!);
  }

  /**
   * Assume: the object as it is about to be written, seen from now on. It
   * must be known, and no older than the version already seen.
   */
  assume(obj: AnyObject): void {
    const key = objectKey(obj);
    const stored = this.get(key);
    if (!stored) throw new Error(`${this.description} ${JSON.stringify(key)} not found`);
    if (compareResourceVersions(obj.metadata.resourceVersion, stored.metadata.resourceVersion) < 0) {
      throw new Error(`${this.description} ${JSON.stringify(key)} is out of sync (stored: ${stored.metadata.resourceVersion}, assume: ${obj.metadata.resourceVersion})`);
    }
    this.own.set(key, obj);
  }

  /**
   * Records an object the API server just answered a write (or a read)
   * with, unless a newer version is already seen; answers the object.
   */
  written(obj: AnyObject): AnyObject {
    const key = objectKey(obj);
    const stored = this.get(key);
    if (!stored || compareResourceVersions(obj.metadata.resourceVersion, stored.metadata.resourceVersion) >= 0) this.own.set(key, obj);
    return obj;
  }

  /** Drops the own version: the informer's is seen again (none, once the informer has seen the object deleted). */
  restore(key: string): void {
    this.own.delete(key);
  }
}
