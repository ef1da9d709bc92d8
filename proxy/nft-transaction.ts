import { MAP_TYPES, SET_TYPES, type Chain, type Ruleset } from './nftables-ruleset.js';

/** What a table holds by name, as `nft list table` reports it (a full sync removes what is not wanted). */
export interface TableObjects {
  chains: string[];
  sets: string[];
}

/** Elements per `add element` line: nft reads long lines, but a 10,000-element line is hard to read in an error. */
const ELEMENTS_PER_LINE = 500;

const affinitySetDecl = (seconds: number) => `{ type ipv4_addr; flags dynamic,timeout; timeout ${seconds}s; }`;
const chainDecl = (chain: Chain) => (chain.hook ? ` { ${chain.hook} }` : '');
const sameRules = (a: Chain | undefined, b: Chain) => !!a && a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);

class Script {
  readonly lines: string[] = [];
  constructor(private readonly table: string) {}
  cmd(verb: string, what: string): void {
    this.lines.push(`${verb} ${what.replace('$T', `ip ${this.table}`)}`);
  }
  fillChain(name: string, chain: Chain): void {
    for (const rule of chain.rules) this.cmd('add rule', `$T ${name} ${rule}`);
  }
  elements(verb: 'add' | 'delete', name: string, items: string[]): void {
    for (let i = 0; i < items.length; i += ELEMENTS_PER_LINE) this.cmd(`${verb} element`, `$T ${name} { ${items.slice(i, i + ELEMENTS_PER_LINE).join(', ')} }`);
  }
  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}

const entries = (m: Map<string, string>) => [...m].map(([k, v]) => `${k} : ${v}`);

/**
 * Everything, whatever the table holds now: every wanted object declared,
 * every chain, map and plain set rewritten, and whatever else the table
 * has removed. Affinity sets that are still wanted keep their elements, so
 * clients stay on their endpoints across a full sync.
 */
export function fullSyncScript(table: string, want: Ruleset, existing: TableObjects): string {
  const s = new Script(table);
  s.cmd('add table', '$T');
  for (const [name, type] of Object.entries(MAP_TYPES)) s.cmd('add map', `$T ${name} { type ${type}; }`);
  for (const [name, type] of Object.entries(SET_TYPES)) s.cmd('add set', `$T ${name} { type ${type}; }`);
  for (const [name, seconds] of want.affinitySets) s.cmd('add set', `$T ${name} ${affinitySetDecl(seconds)}`);
  for (const [name, chain] of want.chains) s.cmd('add chain', `$T ${name}${chainDecl(chain)}`);
  for (const name of want.maps.keys()) s.cmd('flush map', `$T ${name}`);
  for (const name of want.sets.keys()) s.cmd('flush set', `$T ${name}`);
  // Stale chains may refer to each other and to stale sets: empty them all before deleting any.
  const staleChains = existing.chains.filter((c) => !want.chains.has(c));
  for (const name of [...want.chains.keys(), ...staleChains]) s.cmd('flush chain', `$T ${name}`);
  for (const [name, chain] of want.chains) s.fillChain(name, chain);
  for (const [name, m] of want.maps) s.elements('add', name, entries(m));
  for (const [name, set] of want.sets) s.elements('add', name, [...set]);
  for (const name of staleChains) s.cmd('delete chain', `$T ${name}`);
  for (const name of existing.sets) {
    if (!(name in MAP_TYPES) && !(name in SET_TYPES) && !want.affinitySets.has(name)) s.cmd('delete set', `$T ${name}`);
  }
  return s.text();
}

/**
 * Only the differences between what was applied and what is wanted, in an
 * order nft accepts within one transaction: new sets and chains first, then
 * the changed chains' rules, then the maps' elements (which may point at the
 * new chains and stop pointing at the old ones), then the old chains and
 * sets. Empty when nothing changed.
 */
export function partialSyncScript(table: string, have: Ruleset, want: Ruleset): string {
  const s = new Script(table);
  for (const [name, seconds] of want.affinitySets) if (!have.affinitySets.has(name)) s.cmd('add set', `$T ${name} ${affinitySetDecl(seconds)}`);
  for (const [name, chain] of want.chains) if (!have.chains.has(name)) s.cmd('add chain', `$T ${name}${chainDecl(chain)}`);
  for (const [name, chain] of want.chains) {
    const old = have.chains.get(name);
    if (sameRules(old, chain)) continue;
    if (old) s.cmd('flush chain', `$T ${name}`);
    s.fillChain(name, chain);
  }
  for (const [name, m] of want.maps) {
    const old = have.maps.get(name) ?? new Map<string, string>();
    s.elements('delete', name, [...old].filter(([k, v]) => m.get(k) !== v).map(([k]) => k));
    s.elements('add', name, [...m].filter(([k, v]) => old.get(k) !== v).map(([k, v]) => `${k} : ${v}`));
  }
  for (const [name, set] of want.sets) {
    const old = have.sets.get(name) ?? new Set<string>();
    s.elements('delete', name, [...old].filter((e) => !set.has(e)));
    s.elements('add', name, [...set].filter((e) => !old.has(e)));
  }
  const goneChains = [...have.chains.keys()].filter((c) => !want.chains.has(c));
  for (const name of goneChains) s.cmd('flush chain', `$T ${name}`);
  for (const name of goneChains) s.cmd('delete chain', `$T ${name}`);
  for (const name of have.affinitySets.keys()) if (!want.affinitySets.has(name)) s.cmd('delete set', `$T ${name}`);
  return s.text();
}
