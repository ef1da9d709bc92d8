import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LocalVpcSpec } from '../infra/local/local-vpc.js';
import type { WorkerState } from './local-workers.js';

/** Where `skiff up` keeps the local cluster: data, certificates, logs, state. */
export function skiffHome(): string {
  return process.env.SKIFF_HOME ?? join(homedir(), '.skiff');
}

export interface ComponentState {
  name: string;
  pid: number;
  endpoint: string;
  log: string;
  /** How it was started, so it can be started again the same way. */
  command: string[];
}

/** The name `skiff up` gives the local cluster: its resources in the AWS endpoint carry `kubernetes.io/cluster/skiff`. */
export const LOCAL_CLUSTER_NAME = 'skiff';

export interface ClusterState {
  startedAt: string;
  components: ComponentState[];
  kubeconfig: string;
  /** The AWS endpoint the cluster uses; `embedded` when `up` started moto's server for it. */
  aws?: { endpoint: string; region: string; clusterName: string; embedded: boolean };
  /** The local VPC the workers are plugged into, and the workers. */
  localVpc?: LocalVpcSpec;
  workers?: WorkerState[];
}

const stateFile = () => join(skiffHome(), 'state.json');

export function readState(): ClusterState | undefined {
  if (!existsSync(stateFile())) return undefined;
  return JSON.parse(readFileSync(stateFile(), 'utf8')) as ClusterState;
}

export function writeState(state: ClusterState): void {
  mkdirSync(skiffHome(), { recursive: true });
  writeFileSync(stateFile(), JSON.stringify(state, null, 2) + '\n');
}

export function clearState(): void {
  rmSync(stateFile(), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a component's whole process group: TERM, then KILL after a grace period. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}
