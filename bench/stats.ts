/** Percentile of a sample, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Runs `task(i)` for i in [0, total) with at most `inFlight` running at once; answers per-task latencies in ms. */
export async function runConcurrently(total: number, inFlight: number, task: (i: number) => Promise<void>): Promise<{ elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = new Array(total);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latencies[i] = performance.now() - t0;
    }
  }));
  return { elapsedMs: performance.now() - started, latencies };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
