import type { Column } from './kind.js';
import { rfc3339 } from './time.js';

/** kubectl's short durations: 45s, 3m20s, 5h, 3d4h, 2y. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const days = Math.floor(h / 24) % 365;
    return days === 0 ? `${Math.floor(h / 24 / 365)}y` : `${Math.floor(h / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

export function since(timestamp: string | undefined): string {
  if (!timestamp) return '<unknown>';
  return humanDuration(Date.now() - Date.parse(timestamp));
}

export const nameColumn: Column = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata?.name ?? '',
};

export const ageColumn: Column = {
  name: 'Age', type: 'string', priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => since(o.metadata?.creationTimestamp),
};

/** `a,b,c`, or `<none>` for nothing, as kubectl prints lists. */
export function joinOrNone(values: Array<string | undefined> | undefined): string {
  const kept = (values ?? []).filter((v): v is string => !!v);
  return kept.length ? kept.join(',') : '<none>';
}

/** kube's `CREATED AT` column (roles, cluster roles, kinds without printers of their own): the timestamp itself, in UTC. */
export const createdAtColumn: Column = {
  name: 'Created At', type: 'date', priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => {
    const at = Date.parse(o.metadata?.creationTimestamp ?? '');
    return Number.isNaN(at) ? null : rfc3339(at);
  },
};
