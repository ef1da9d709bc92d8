/** The first batch of a slow start: one call, to learn whether the calls work at all. */
export const SLOW_START_INITIAL_BATCH = 1;

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, ... run concurrently; a
 * batch with a failure ends the run once it has finished. A quota or an
 * admission rule that refuses every pod thus costs one request, not
 * hundreds (and one event, not hundreds). No batch starts once `stopped`
 * answers true. Answers the calls that succeeded and the first failure.
 */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>, stopped = () => false): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatch); size > 0 && !stopped(); size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failures.length;
    if (failures.length) return { successes, error: failures[0].reason };
    remaining -= size;
  }
  return { successes };
}
