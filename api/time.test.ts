import test from 'ava';
import { microTime, rfc3339, rfc3339Nano } from './time.js';

test('timestamps are RFC 3339 in UTC: whole seconds, microseconds, or as many fractional digits as are not zero', (t) => {
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  t.is(rfc3339(at), '2024-01-02T03:04:05Z');
  t.is(microTime(at + 0.901), '2024-01-02T03:04:05.678901Z');
  t.is(microTime(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999))), '2024-12-31T23:59:59.999000Z');
  t.is(microTime(Date.UTC(2024, 0, 1) - 0.0004), '2024-01-01T00:00:00.000000Z');
  t.is(rfc3339Nano(at), '2024-01-02T03:04:05.678Z');
  t.is(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 500)), '2024-01-02T03:04:05.5Z');
  t.is(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5)), '2024-01-02T03:04:05Z');
});
