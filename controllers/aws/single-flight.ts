/**
 * Calls for the same key made while one is in flight share its answer, as
 * Go's singleflight does: ten Services reconciled at once read the cluster's
 * subnets once. Nothing is kept after the call ends, so no answer is stale.
 */
export class SingleFlight<K, V> {
  private readonly inFlight = new Map<K, Promise<V>>();

  do(key: K, call: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
