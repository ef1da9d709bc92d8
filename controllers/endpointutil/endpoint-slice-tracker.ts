import { LABEL_SERVICE_NAME } from '../../api/well-known.js';
import type { EventHandlers } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';

const DELETION_EXPECTED = -1;

const uidOf = (slice: AnyObject): string => slice.metadata.uid ?? '';

const serviceKeyOf = (slice: AnyObject): string => `${slice.metadata.namespace}/${slice.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

/**
 * Remembers the generation of every slice a controller wrote, by Service, so
 * that it can tell its own writes from others' in the slice informer's
 * events, and tell when that informer has not caught up with its writes yet
 * (reconciling from such a cache would create duplicate slices).
 */
export class EndpointSliceTracker {
  // service key -> slice uid -> generation written, or DELETION_EXPECTED
  private readonly byService = new Map<string, Map<string, number>>();
  private readonly serviceUids = new Map<string, string>();

  /**
   * Slice informer handlers that call `sync` with a slice whose owner needs
   * reconciling: only for changes to `managed` slices this tracker did not
   * write itself, a slice moved between Services (both of them), or one
   * that left or joined the controller's care.
   */
  sliceHandlers(managed: (slice: AnyObject) => boolean, sync: (slice: AnyObject) => void): EventHandlers<AnyObject> {
    return {
      onAdd: (slice) => {
        if (managed(slice) && this.shouldSync(slice)) sync(slice);
      },
      onUpdate: (old, slice) => {
        // Generations do not move with labels, and users may relabel a slice.
        if (old.metadata.labels?.[LABEL_SERVICE_NAME] !== slice.metadata.labels?.[LABEL_SERVICE_NAME]) {
          sync(slice);
          sync(old);
        } else if (managed(old) !== managed(slice) || (managed(slice) && this.shouldSync(slice))) {
          sync(slice);
        }
      },
      onDelete: (slice) => {
        if (managed(slice) && this.has(slice) && !this.handleDeletion(slice)) sync(slice);
      },
    };
  }

  has(slice: AnyObject): boolean {
    return this.byService.get(serviceKeyOf(slice))?.has(uidOf(slice)) ?? false;
  }

  /** True unless this is a version of the slice the tracker wrote itself (or an older one). */
  shouldSync(slice: AnyObject): boolean {
    const g = this.byService.get(serviceKeyOf(slice))?.get(uidOf(slice));
    return g === undefined || (slice.metadata.generation ?? 0) > g;
  }

  /**
   * True when the cached slices lag behind what was written: one is older
   * than written, or expected to be gone, or a written one is missing. Writes
   * for an earlier Service of the same name no longer count.
   */
  staleSlices(service: AnyObject, slices: AnyObject[]): boolean {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const uid = service.metadata.uid ?? '';
    const trackedUid = this.serviceUids.get(key);
    if (trackedUid && uid && trackedUid !== uid) this.byService.delete(key);
    this.serviceUids.set(key, uid);
    const generations = this.byService.get(key);
    if (!generations) return false;
    const provided = new Set<string>();
    for (const slice of slices) {
      provided.add(uidOf(slice));
      const g = generations.get(uidOf(slice));
      if (g !== undefined && (g === DELETION_EXPECTED || g > (slice.metadata.generation ?? 0))) return true;
    }
    for (const [sliceUid, g] of generations) {
      if (g !== DELETION_EXPECTED && !provided.has(sliceUid)) return true;
    }
    return false;
  }

  update(slice: AnyObject): void {
    this.generations(slice).set(uidOf(slice), slice.metadata.generation ?? 0);
  }

  expectDeletion(slice: AnyObject): void {
    this.generations(slice).set(uidOf(slice), DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; answers false when its deletion came as a surprise. */
  handleDeletion(slice: AnyObject): boolean {
    const generations = this.byService.get(serviceKeyOf(slice));
    const g = generations?.get(uidOf(slice));
    generations?.delete(uidOf(slice));
    return g === undefined || g === DELETION_EXPECTED;
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
    this.serviceUids.delete(`${namespace}/${name}`);
  }

  private generations(slice: AnyObject): Map<string, number> {
    const key = serviceKeyOf(slice);
    let generations = this.byService.get(key);
    if (!generations) this.byService.set(key, (generations = new Map()));
    return generations;
  }
}
