import { instantOf, wallClock } from './time-zone.js';

/**
 * A standard cron schedule (minute hour day-of-month month day-of-week, or
 * a macro), read the way kube's CronJobs read it (robfig/cron's
 * ParseStandard): lists, ranges, steps, month and weekday names, `?` as `*`.
 * When both day fields are restricted a day matching either runs, as in cron.
 */
export interface CronSchedule {
  /** The first scheduled minute strictly after `afterMs`, in `zone`; undefined when none comes within five years. */
  next(afterMs: number, zone: string): number | undefined;
}

interface Field { min: number; max: number; names?: string[] }

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

interface ParsedField { values: Set<number>; star: boolean }

function parseNumber(text: string, field: Field): number {
  const byName = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + field.min;
  if (!/^[0-9]+$/.test(text)) throw new Error(`failed to parse int from ${text}`);
  return Number(text);
}

function parseField(text: string, field: Field): ParsedField {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText, ...extra] = part.split('/');
    if (extra.length) throw new Error(`too many slashes: ${part}`);
    let start: number;
    let end: number;
    let wildcard = false;
    if (range === '*' || range === '?') {
      [start, end, wildcard] = [field.min, field.max, true];
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new Error(`too many hyphens: ${part}`);
      start = parseNumber(bounds[0], field);
      // "N/step" means from N to the end of the field.
      end = bounds.length === 2 ? parseNumber(bounds[1], field) : stepText !== undefined ? field.max : start;
    }
    const step = stepText === undefined ? 1 : parseNumber(stepText, { min: 0, max: 0 });
    if (start < field.min) throw new Error(`beginning of range (${start}) below minimum (${field.min}): ${part}`);
    if (end > field.max) throw new Error(`end of range (${end}) above maximum (${field.max}): ${part}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${part}`);
    for (let v = start; v <= end; v += step) values.add(v);
    // `*/2` restricts the field; only a plain wildcard leaves the day fields unrestricted.
    if (wildcard && step === 1) star = true;
  }
  return { values, star };
}

const FIVE_YEARS_MS = 5 * 366 * 24 * 3600_000;

/** Parses a schedule; throws an Error whose message validation reports. */
export function parseCronSchedule(schedule: string): CronSchedule {
  const trimmed = schedule.trim();
  if (!trimmed) throw new Error('empty spec string');
  let spec = trimmed;
  if (trimmed.startsWith('@')) {
    const macro = MACROS[trimmed.toLowerCase()];
    if (!macro) throw new Error(`unrecognized descriptor: ${trimmed}`);
    spec = macro;
  }
  const parts = spec.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]));

  const dayMatches = (day: number, dayOfWeek: number) => {
    const domOk = dom.values.has(day);
    const dowOk = dow.values.has(dayOfWeek);
    return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
  };

  return {
    next(afterMs, zone) {
      const w = wallClock(afterMs, zone);
      // The wall clock walks as a naive UTC date; each candidate minute maps back to an instant in the zone.
      let t = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) + 60_000;
      const limit = t + FIVE_YEARS_MS;
      while (t < limit) {
        const d = new Date(t);
        if (!month.values.has(d.getUTCMonth() + 1)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
          continue;
        }
        if (!dayMatches(d.getUTCDate(), d.getUTCDay())) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
          continue;
        }
        if (!hour.values.has(d.getUTCHours())) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
          continue;
        }
        if (!minute.values.has(d.getUTCMinutes())) {
          t += 60_000;
          continue;
        }
        const at = instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), zone);
        if (at > afterMs) return at;
        t += 60_000;
      }
      return undefined;
    },
  };
}
