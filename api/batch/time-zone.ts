/**
 * IANA time zones through Intl: whether a name is one, and the wall clock of
 * an instant there and back. Node ships the full tz database (full-icu), so
 * no library is needed.
 */

/** The wall clock in a zone, month 1-12, day-of-week 0 (Sunday)-6. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  dayOfWeek: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Why a name is not a time zone kube accepts, or undefined when it is one. */
export function timeZoneProblem(zone: string): string | undefined {
  // Go's LoadLocation takes "Local" (the machine's zone) and "" (UTC); a CronJob must name its zone.
  if (zone.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    formatter(zone);
    return undefined;
  } catch {
    return `unknown time zone ${zone}`;
  }
}

/** The instant's wall clock in `zone`. */
export function wallClock(ms: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const dayOfWeek = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, dayOfWeek };
}

/** The zone's offset from UTC at an instant, in ms. */
export function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/**
 * The instant a wall-clock minute stands for in `zone`. In a gap (clocks
 * moved forward) it falls after the gap, as Go's time.Date normalizes; in an
 * overlap it is the first of the two.
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, zone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Offsets a day either side cover any transition near this minute.
  const before = asUtc - offsetAt(asUtc - 86_400_000, zone);
  const after = asUtc - offsetAt(asUtc + 86_400_000, zone);
  const valid = [before, after].filter((at) => offsetAt(at, zone) === asUtc - at);
  // None valid: a gap; the offset in force before it puts the minute just after it.
  return valid.length ? Math.min(...valid) : before;
}

/** RFC 3339 in the zone's offset, as Go formats time.In(zone).Format(time.RFC3339). */
export function rfc3339In(ms: number, zone: string): string {
  const offset = offsetAt(ms, zone);
  const w = wallClock(ms, zone);
  const seconds = Math.floor((((ms % 60_000) + 60_000) % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(seconds)}`;
  if (offset === 0) return `${base}Z`;
  const abs = Math.abs(offset) / 60_000;
  return `${base}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
