import { parseDuration } from '../api/time.js';

/**
 * How a component flag reads its value, as Go's pflag reads kube's flags:
 * `bool` stands alone or takes `=true|false`; `duration` is Go's (10s, 1m30s)
 * and arrives in milliseconds; `list` is comma-separated and may repeat.
 * A `string` must not be empty, which catches a `--kubeconfig=$UNSET`; a
 * `string-or-empty` may, for the flags whose empty value means something
 * (the kubelet's `--resolv-conf=""`: no resolver file).
 */
export type FlagType = 'string' | 'string-or-empty' | 'bool' | 'int' | 'float' | 'duration' | 'list';

type FlagValue<T extends FlagType> = T extends 'bool' ? boolean : T extends 'int' | 'float' | 'duration' ? number : T extends 'list' ? string[] : string;

export type ParsedFlags<S extends Record<string, FlagType>> = { [K in keyof S]?: FlagValue<S[K]> };

/** Parses kube-style flags against their declared types; a bad flag or value is a one-line error. */
export function parseTypedFlags<S extends Record<string, FlagType>>(argv: string[], spec: S): ParsedFlags<S> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m || !Object.hasOwn(spec, m[1])) throw new Error(`unknown flag: ${argv[i]}`);
    const name = m[1];
    const type = spec[name];
    let value = m[2];
    if (value === undefined) {
      if (type === 'bool') value = 'true';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new Error(`flag needs an argument: --${name}`);
    }
    switch (type) {
      case 'bool':
        if (value !== 'true' && value !== 'false') throw new Error(`invalid value ${JSON.stringify(value)} for --${name}: must be true or false`);
        out[name] = value === 'true';
        break;
      case 'int': {
        const n = Number(value);
        if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`invalid value ${JSON.stringify(value)} for --${name}: must be an integer`);
        out[name] = n;
        break;
      }
      case 'float': {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`invalid value ${JSON.stringify(value)} for --${name}: must be a number`);
        out[name] = n;
        break;
      }
      case 'duration':
        try {
          out[name] = parseDuration(value);
        } catch {
          throw new Error(`invalid value ${JSON.stringify(value)} for --${name}: must be a duration such as 15s or 1m30s`);
        }
        break;
      case 'list':
        out[name] = [...((out[name] as string[] | undefined) ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
        break;
      case 'string-or-empty':
        out[name] = value;
        break;
      default:
        if (value === '') throw new Error(`flag needs an argument: --${name}`);
        out[name] = value;
    }
  }
  return out as ParsedFlags<S>;
}
