/**
 * resource.Quantity, the way Kubernetes reads and prints it: `100m`, `1Gi`,
 * `2e3`, `0.5`. Amounts are kept exactly as `value × 10^scale` with a bigint
 * mantissa, so binary suffixes and fractions never lose precision.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The mantissa: the amount is value × 10^scale. */
  value: bigint;
  scale: number;
  /** The notation the quantity was written in; printing keeps it. */
  format: QuantityFormat;
}

/** Kubernetes' wording when a string is not a quantity. */
export const QUANTITY_SYNTAX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;

const POWERS = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => (n >= 0 && n < POWERS.length ? POWERS[n] : 10n ** BigInt(n));

/** Divides, rounding away from zero (Kubernetes rounds quantities up, never down). */
function divAwayFromZero(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : q + (a < 0n ? -1n : 1n);
}

/**
 * A parsed string with the numbers the scheduler and controllers read from
 * it, so Value() and MilliValue() of a recurring amount cost one lookup.
 */
interface Parsed {
  readonly quantity: Readonly<Quantity> | undefined;
  readonly value: number;
  readonly milliValue: number;
}

/** Recently parsed strings: the same few amounts (`100m`, `128Mi`) recur in every pod. */
const memo = new Map<string, Parsed>();
const MEMO_LIMIT = 4096;
const MEMO_MAX_LENGTH = 64;

function memoized(input: string): Parsed {
  let entry = memo.get(input);
  if (entry === undefined) {
    const q = parse(input);
    const quantity = q && Object.freeze(q);
    entry = { quantity, value: quantity ? scaledNumber(quantity, 0) : 0, milliValue: quantity ? scaledNumber(quantity, 3) : 0 };
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(input, entry);
  }
  return entry;
}

/** Parses a quantity written as a string or a JSON number; undefined when it is not one. The answer is frozen. */
export function parseQuantity(input: unknown): Readonly<Quantity> | undefined {
  if (typeof input === 'string' && input.length <= MEMO_MAX_LENGTH) return memoized(input).quantity;
  return parse(input);
}

function parse(input: unknown): Quantity | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return undefined;
  }
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = '', suffix] = m;
  if (whole === '' && fraction === '') return undefined;
  let value = BigInt((whole || '0') + fraction);
  let scale = -fraction.length;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    scale += DECIMAL_SUFFIXES[suffix];
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    value *= 1024n ** BigInt(BINARY_SUFFIXES[suffix]);
  } else if (/^[eE][+-]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    const exponent = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
    scale += exponent;
  } else {
    return undefined;
  }
  if (sign === '-') value = -value;
  // Nothing finer than a nano unit is kept; finer amounts round up to it.
  if (scale < -9) {
    value = divAwayFromZero(value, pow10(-9 - scale));
    scale = -9;
  }
  if (value === 0n) return { value: 0n, scale: 0, format };
  return { value, scale, format };
}

/** Both mantissas at a common scale, for adding. */
function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.value * pow10(a.scale - scale), b.value * pow10(b.scale - scale), scale];
}

/** Quantity.Cmp: -1, 0 or 1 as a is less than, equal to or greater than b, exactly across notations. */
export function compareQuantities(a: Readonly<Quantity>, b: Readonly<Quantity>): -1 | 0 | 1 {
  let x = a.value;
  let y = b.value;
  if (a.scale > b.scale) x *= pow10(a.scale - b.scale);
  else if (b.scale > a.scale) y *= pow10(b.scale - a.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The amount in units of 10^-shift, rounded up (ceil) as Quantity.ScaledValue does; a number, exact below 2^53. */
function scaledNumber(q: Readonly<Quantity>, shift: number): number {
  const exponent = q.scale + shift;
  if (exponent >= 0) return Number(q.value * pow10(exponent));
  const divisor = pow10(-exponent);
  const whole = q.value / divisor;
  return Number(q.value > 0n && q.value % divisor !== 0n ? whole + 1n : whole);
}

/**
 * Quantity.Value() or MilliValue(), for a parsed quantity or one as an
 * object carries it (text, memoized with its parse, or a JSON number). What
 * is missing or does not parse counts as zero, as a resource list's absent
 * entry does in kube.
 */
function numberOf(input: unknown, milli: boolean): number {
  if (typeof input === 'string' && input.length <= MEMO_MAX_LENGTH) {
    const entry = memoized(input);
    return milli ? entry.milliValue : entry.value;
  }
  const q = isQuantity(input) ? input : parse(input);
  return q ? scaledNumber(q, milli ? 3 : 0) : 0;
}

const isQuantity = (input: unknown): input is Quantity => typeof input === 'object' && input !== null && typeof (input as Quantity).value === 'bigint';

/** Quantity.Value(): whole units (bytes, devices), rounded up; zero for what is missing or not a quantity. */
export const quantityValue = (input: unknown): number => numberOf(input, false);

/** Quantity.MilliValue(): thousandths (cpu millicores), rounded up; zero for what is missing or not a quantity. */
export const quantityMilliValue = (input: unknown): number => numberOf(input, true);

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = aligned(a, b);
  return { value: x + y, scale, format: a.value === 0n ? b.format : a.format };
}

export const isNegative = (q: Quantity): boolean => q.value < 0n;

/** Rounds up (away from zero) to at most `scale` decimal places, like Quantity.RoundUp. */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  return { ...q, value: divAwayFromZero(q.value, pow10(scale - q.scale)), scale };
}

/** True when the amount has no fractional part. */
function isWhole(q: Quantity): boolean {
  return q.scale >= 0 || q.value % pow10(-q.scale) === 0n;
}

/** The canonical text Kubernetes prints for a quantity: `1500m`, `2k`, `1Gi`, `1e3`. */
export function formatQuantity(q: Quantity): string {
  if (q.value === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.value < 0n ? -q.value : q.value;
    const small = q.scale >= 0 ? abs * pow10(q.scale) < 1024n : abs < 1024n * pow10(-q.scale);
    if (small || !isWhole(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let n = q.scale >= 0 ? q.value * pow10(q.scale) : q.value / pow10(-q.scale);
    let k = 0;
    while (k < BINARY_NAMES.length - 1 && n % 1024n === 0n) {
      n /= 1024n;
      k++;
    }
    return `${n}${BINARY_NAMES[k]}`;
  }
  let value = q.value;
  let exponent = q.scale;
  while (value % 10n === 0n) {
    value /= 10n;
    exponent++;
  }
  // Print with an exponent that is a multiple of three, keeping the mantissa whole.
  const rest = exponent % 3;
  if (rest === 1 || rest === -2) {
    value *= 10n;
    exponent -= 1;
  } else if (rest === 2 || rest === -1) {
    value *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${value}` : `${value}e${exponent}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exponent);
  return suffix === undefined ? `${value}e${exponent}` : `${value}${suffix}`;
}

/** The canonical text for a quantity given as text or number; undefined when it does not parse. */
export function canonicalQuantity(input: unknown): string | undefined {
  const q = parseQuantity(input);
  return q ? formatQuantity(q) : undefined;
}

/**
 * Rewrites every value of a resource list in canonical form, rounded up to
 * milli-units as the v1 defaulting does. Values that do not parse stay as
 * given, for validation to report.
 */
export function canonicalizeResourceList(list: unknown): void {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return;
  const entries = list as Record<string, unknown>;
  for (const [name, raw] of Object.entries(entries)) {
    const q = parseQuantity(raw);
    if (q) entries[name] = formatQuantity(roundUpQuantity(q, -3));
  }
}
