/** A moment as Kubernetes writes timestamps: RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
