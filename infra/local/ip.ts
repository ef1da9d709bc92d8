import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs iproute2's `ip` (inside `netns` when given); a failure throws with ip's own message. */
export function ip(args: string[], netns?: string): string {
  const full = netns ? ['-n', netns, ...args] : args;
  try {
    return execFileSync('ip', full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`ip ${full.join(' ')}: ${stderr || (err as Error).message}`);
  }
}

/** `ip -j ...` parsed. */
export function ipJson<T>(args: string[], netns?: string): T {
  const out = ip(['-j', ...args], netns).trim();
  return (out ? JSON.parse(out) : []) as T;
}

export const netnsExists = (netns: string) => existsSync(`/run/netns/${netns}`);

/** Creates a network namespace with its loopback up; an existing one is kept as it is. */
export function ensureNetns(netns: string): void {
  if (netnsExists(netns)) return;
  ip(['netns', 'add', netns]);
  ip(['link', 'set', 'lo', 'up'], netns);
}

/** Deletes a network namespace and with it every link and route inside; one already gone is fine. */
export function deleteNetns(netns: string): void {
  if (!netnsExists(netns)) return;
  ip(['netns', 'delete', netns]);
}

/** Sets a sysctl of the namespace's own network stack (nsenter --net only: /proc/sys/net follows the writer's namespace). */
export function netnsSysctl(netns: string, key: string, value: string): void {
  execFileSync('nsenter', [`--net=/run/netns/${netns}`, 'sysctl', '-q', '-w', `${key}=${value}`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const linkExists = (name: string, netns?: string) => {
  try {
    ip(['link', 'show', 'dev', name], netns);
    return true;
  } catch {
    return false;
  }
};
