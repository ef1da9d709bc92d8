/** A moment as Kubernetes writes timestamps: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A metav1.MicroTime: RFC 3339 in UTC with microseconds, as kube writes
 * Lease renewals and audit stamps: 2024-01-02T03:04:05.678901Z. A number is
 * milliseconds, fractions of one kept to the microsecond.
 */
export function microTime(at: Date | number = Date.now()): string {
  const micros = Math.round((typeof at === 'number' ? at : at.getTime()) * 1000);
  const millis = Math.floor(micros / 1000);
  return `${new Date(millis).toISOString().slice(0, -1)}${pad(micros - millis * 1000, 3)}Z`;
}

/** Go's time.RFC3339Nano in UTC: fractional seconds only as far as they are not zero. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

let lastSecond = 0;
let lastStamp = '';

/** The current time as a Kubernetes timestamp, formatted once per second. */
export function now(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = rfc3339(second * 1000);
  }
  return lastStamp;
}

/** Parses a Go-style duration (5m, 30s, 1h30m, 500ms) into milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '0') return 0;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
