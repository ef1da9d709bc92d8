import type { LabelSelector } from '../api/selectors/label-selector.js';
import type { Informer } from '../client/informer.js';
import type { KubeObject } from '../client/resource.js';

interface Entry {
  resourceVersion: string;
  selector: LabelSelector | undefined;
}

/**
 * Owners' label selectors, parsed (and validated) once per version of the
 * owner: event handlers match each orphan against every owner in its
 * namespace, and parsing on every event dominated that work. Entries are
 * by uid and answer only for the resourceVersion they were parsed from;
 * `parse` answers undefined for an owner without a usable selector.
 */
export class SelectorCache<T extends KubeObject = KubeObject> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly parse: (owner: T) => LabelSelector | undefined) {}

  get(owner: T): LabelSelector | undefined {
    const { uid, resourceVersion } = owner.metadata;
    // Only a stored object has both; anything else is parsed afresh.
    if (!uid || !resourceVersion) return this.parse(owner);
    const cached = this.entries.get(uid);
    if (cached?.resourceVersion === resourceVersion) return cached.selector;
    const selector = this.parse(owner);
    this.entries.set(uid, { resourceVersion, selector });
    return selector;
  }

  forget(owner: T): void {
    if (owner.metadata.uid) this.entries.delete(owner.metadata.uid);
  }

  /** Owners cached. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops each owner's entry when the informer reports it deleted. */
  forgetDeleted(owners: Informer<T>): void {
    owners.addEventHandler({ onDelete: (owner) => this.forget(owner) });
  }
}
