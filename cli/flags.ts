/** `--name=value` / `--name value` flags from a fixed set; anything else is a one-line error. */
export function parseFlags<K extends string>(argv: string[], known: readonly K[], booleans: readonly K[] = []): Partial<Record<K, string>> {
  const flags: Partial<Record<K, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !known.includes(m[1] as K)) throw new Error(`unknown flag: ${argv[i]}`);
    const name = m[1] as K;
    const value = m[2] ?? (booleans.includes(name) ? 'true' : argv[++i]);
    if (value === undefined || value === '') throw new Error(`flag needs an argument: --${name}`);
    flags[name] = value;
  }
  return flags;
}
