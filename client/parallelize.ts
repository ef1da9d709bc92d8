/**
 * client-go's ParallelizeUntil: `fn` over every item, at most `workers` at
 * once. `fn` reports its own failures; one that throws anyway stops nothing
 * else and is rethrown once all are done.
 */
export async function parallelize<T>(items: T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      try {
        await fn(items[next++]);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, worker));
  if (failure) throw failure.err;
}
