import { badRequest } from '../../../api/status.js';

/**
 * A boolean query parameter read as kube-apiserver's parameter conversion
 * reads it: absent is undefined, `0` and `false` in any case are false, and
 * anything else — `True` as the Python client sends it, or an empty value —
 * is true.
 */
export function queryBool(query: URLSearchParams, key: string): boolean | undefined {
  const v = query.get(key);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64 query parameter as Go's strconv.ParseInt reads it, with its
 * errors: decimal digits only, within int64. Empty is 0, as kube's
 * conversion makes it.
 */
export function queryInt64(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null) return undefined;
  if (v === '') return 0;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}
