import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TableObjects } from './nft-transaction.js';

/** The nft command: what the proxy changes its table with, in the namespace it runs in. */
export interface Nft {
  /** Applies a script as one transaction: all of it or, on error, none. */
  apply(script: string): Promise<void>;
  /** The chains and sets a table holds, or undefined when there is no such table. */
  list(table: string): Promise<TableObjects | undefined>;
}

function run(command: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error('nft not found: install Debian\'s nftables package') : e));
    child.once('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** nft's first error lines: enough to say which command failed without the whole script. */
const firstLines = (text: string) => text.trim().split('\n').slice(0, 6).join('\n');

/**
 * Debian's nft by its path: under npm, node_modules/.bin comes first in
 * PATH, and a dependency's tool there is also called nft (@vercel/nft).
 */
const NFT = ['/usr/sbin/nft', '/sbin/nft'].find((p) => existsSync(p)) ?? 'nft';

/** nft in this process's network namespace, or (tests, benchmarks) in a named one. */
export function nftIn(netns?: string): Nft {
  const nft = netns ? ['nsenter', `--net=/run/netns/${netns}`, NFT] : [NFT];
  return {
    async apply(script) {
      const { code, stderr } = await run([...nft, '-f', '-'], script);
      if (code !== 0) throw new Error(`nft transaction failed: ${firstLines(stderr)}`);
    },
    list: (table) => listTable(nft, table),
  };
}

export const systemNft: Nft = nftIn();

async function listTable(nft: string[], table: string): Promise<TableObjects | undefined> {
  const { code, stdout, stderr } = await run([...nft, '-j', '-t', 'list', 'table', 'ip', table]);
  if (code !== 0) {
    if (/No such file or directory/.test(stderr)) return undefined;
    throw new Error(`nft list table ip ${table} failed: ${firstLines(stderr)}`);
  }
  const objects: { chain?: { name: string }; set?: { name: string }; map?: { name: string } }[] = JSON.parse(stdout).nftables ?? [];
  return {
    chains: objects.flatMap((o) => (o.chain ? [o.chain.name] : [])),
    sets: objects.flatMap((o) => (o.set ? [o.set.name] : o.map ? [o.map.name] : [])),
  };
}
