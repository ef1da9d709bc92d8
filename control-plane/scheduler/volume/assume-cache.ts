import type { AnyObject } from '../../../client/resource.js';
import { objectKey } from '../../../client/store.js';
import type { Lister } from '../framework/listers.js';

/** Orders resourceVersions, which are etcd revisions; anything else compares equal. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * kube's assume cache over an informer: the scheduler's own not-yet-written
 * version of an object (a PV prebound to a claim, a claim given a selected
 * node) is what the next cycles see, until the informer delivers a newer
 * version or the assumption is restored.
 */
export class AssumeCache {
  private readonly assumed = new Map<string, { obj: AnyObject; base: string | undefined }>();

  constructor(readonly kind: string, private readonly lister: Lister) {}

  get(key: string): AnyObject | undefined {
    const current = this.lister.get(key);
    const mine = this.assumed.get(key);
    if (mine) {
      if (current && current.metadata.resourceVersion === mine.base) return mine.obj;
      this.assumed.delete(key);
    }
    return current;
  }

  /** The object as the API server last sent it, ignoring assumptions. */
  apiObject(key: string): AnyObject | undefined {
    return this.lister.get(key);
  }

  byIndex(index: string, value: string): AnyObject[] {
    return this.lister.byIndex(index, value).map((o) => this.get(objectKey(o)) ?? o);
  }

  assume(obj: AnyObject): void {
    const key = objectKey(obj);
    const current = this.lister.get(key);
    if (!current) throw new Error(`${this.kind} ${JSON.stringify(key)} not found`);
    if (compareResourceVersions(obj.metadata.resourceVersion, current.metadata.resourceVersion) < 0) {
      throw new Error(`${this.kind} ${JSON.stringify(key)} is out of sync (stored: ${current.metadata.resourceVersion}, assume: ${obj.metadata.resourceVersion})`);
    }
    this.assumed.set(key, { obj, base: current.metadata.resourceVersion });
  }

  restore(key: string): void {
    this.assumed.delete(key);
  }
}
