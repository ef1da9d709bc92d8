import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { objectKey } from '../../../client/store.js';

const version = (obj: AnyObject): bigint => BigInt(obj.metadata.resourceVersion || '0');

/**
 * An informer's objects overlaid with the versions this controller wrote
 * itself, until the informer catches up. Binding writes a volume and a
 * claim in turn; without this the next sync could act on the informer's
 * older copies and bind what it has just bound elsewhere.
 */
export class AssumeCache {
  private readonly written = new Map<string, AnyObject>();

  constructor(private readonly informer: Informer) {
    informer.addEventHandler({ onDelete: (obj) => this.written.delete(objectKey(obj)) });
  }

  get(key: string): AnyObject | undefined {
    const cached = this.informer.store.get(key);
    const own = this.written.get(key);
    if (!own) return cached;
    if (cached && (cached.metadata.uid !== own.metadata.uid || version(cached) >= version(own))) {
      this.written.delete(key);
      return cached;
    }
    return own;
  }

  list(): AnyObject[] {
    return this.informer.store.keys().map((key) => this.get(key)!);
  }

  /** Records an object the API server just answered a write with. */
  assume(obj: AnyObject): AnyObject {
    this.written.set(objectKey(obj), obj);
    return obj;
  }
}
