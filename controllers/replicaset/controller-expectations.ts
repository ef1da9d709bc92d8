/**
 * If a watch drops an event, a controller waiting on it wakes up anyway
 * after this long (kube's ExpectationsTimeout).
 */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expected {
  add: number;
  del: number;
  setAt: number;
}

/**
 * kube's UIDTrackingControllerExpectations: the creates and deletes a
 * controller has asked for and not yet seen in its informer. While any are
 * outstanding the controller does not act on its (stale) cache again, so a
 * slow watch never makes it create or delete twice. Deletions are tracked
 * by pod key, so a pod seen first with a deletionTimestamp and then gone
 * counts once. Kept in memory: a new leader starts from a synced cache.
 */
export class ControllerExpectations {
  private readonly expected = new Map<string, Expected>();
  private readonly deleting = new Map<string, Set<string>>();

  /** True when nothing is outstanding for `key` (or what was expected is too old to wait for). */
  satisfied(key: string): boolean {
    const e = this.expected.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del <= 0) || Date.now() - e.setAt > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, count: number): void {
    this.expected.set(key, { add: count, del: 0, setAt: Date.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.deleting.set(key, new Set(podKeys));
    this.expected.set(key, { add: 0, del: podKeys.length, setAt: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.expected.get(key);
    if (e) e.add--;
  }

  /** Counts the deletion only for a pod this controller is waiting on, and only once. */
  deletionObserved(key: string, podKey: string): void {
    const pods = this.deleting.get(key);
    if (!pods?.delete(podKey)) return;
    const e = this.expected.get(key);
    if (e) e.del--;
  }

  forget(key: string): void {
    this.expected.delete(key);
    this.deleting.delete(key);
  }
}
