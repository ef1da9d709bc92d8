import { identityKey, type ObjectIdentity } from './graph.js';

/**
 * Owners the API server said do not exist, remembered so that the many
 * dependents of one deleted owner do not each ask again. Least recently
 * used entries go first once it is full (kube keeps 500).
 */
export class AbsentOwnerCache {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity = 500) {}

  add(id: ObjectIdentity): void {
    const key = identityKey(id);
    this.entries.delete(key);
    this.entries.add(key);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.values().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const key = identityKey(id);
    if (!this.entries.has(key)) return false;
    this.entries.delete(key);
    this.entries.add(key);
    return true;
  }
}
