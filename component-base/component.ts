import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ClientConfig } from '../client/kubeconfig.js';
import { NAMESPACE_SYSTEM } from '../api/well-known.js';
import { LEADER_ELECTION_DEFAULTS, runLeaderElection } from '../client/leader-election.js';
import { log } from '../client/log.js';
import { RestClient } from '../client/rest-client.js';
import type { ParsedFlags } from './flags.js';
import { startSecureServing, type HealthCheck, type SecureServing } from './secure-serving.js';

/** The flags kube's control-plane components share (kube-scheduler, kube-controller-manager), by type. */
export const COMPONENT_FLAGS = {
  kubeconfig: 'string',
  'kube-api-qps': 'int',
  'kube-api-burst': 'int',
  'leader-elect': 'bool',
  'leader-elect-lease-duration': 'duration',
  'leader-elect-renew-deadline': 'duration',
  'leader-elect-retry-period': 'duration',
  'leader-elect-resource-namespace': 'string',
  'leader-elect-resource-name': 'string',
  'bind-address': 'string',
  'secure-port': 'int',
  'tls-cert-file': 'string',
  'tls-private-key-file': 'string',
} as const;

export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ComponentSettings {
  kubeconfig?: string;
  qps: number;
  burst: number;
  /** Undefined runs without leader election. */
  leaderElection?: LeaderElectionSettings;
  serving: { bindAddress: string; securePort: number; tlsCertFile?: string; tlsPrivateKeyFile?: string };
}

/** Reads the shared flags with one component's defaults (its lease name, port and client rate). */
export function componentSettings(flags: ParsedFlags<typeof COMPONENT_FLAGS>, defaults: { lease: string; securePort: number; qps: number; burst: number }): ComponentSettings {
  const port = flags['secure-port'] ?? defaults.securePort;
  if (port < 0 || port > 65535) throw new Error(`invalid --secure-port ${port}`);
  const leaderElection: LeaderElectionSettings = {
    namespace: flags['leader-elect-resource-namespace'] ?? NAMESPACE_SYSTEM,
    name: flags['leader-elect-resource-name'] ?? defaults.lease,
    leaseDurationMs: flags['leader-elect-lease-duration'] ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs,
    renewDeadlineMs: flags['leader-elect-renew-deadline'] ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs,
    retryPeriodMs: flags['leader-elect-retry-period'] ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs,
  };
  if (!(leaderElection.leaseDurationMs > leaderElection.renewDeadlineMs)) throw new Error('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
  if (!(leaderElection.renewDeadlineMs > leaderElection.retryPeriodMs * 1.2)) throw new Error('--leader-elect-renew-deadline must be greater than 1.2 x --leader-elect-retry-period');
  return {
    kubeconfig: flags.kubeconfig,
    qps: flags['kube-api-qps'] ?? defaults.qps,
    burst: flags['kube-api-burst'] ?? defaults.burst,
    leaderElection: flags['leader-elect'] === false ? undefined : leaderElection,
    serving: { bindAddress: flags['bind-address'] ?? '0.0.0.0', securePort: port, tlsCertFile: flags['tls-cert-file'], tlsPrivateKeyFile: flags['tls-private-key-file'] },
  };
}

/**
 * The client and the metrics registry a component runs with: the client at
 * the rate its settings give (or the component's defaults), the registry
 * with Node's process metrics.
 */
export function componentClient(config: ClientConfig, settings: Pick<ComponentSettings, 'qps' | 'burst'> | undefined, defaults: { qps: number; burst: number }): { client: RestClient; registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { client: new RestClient(config, { qps: settings?.qps ?? defaults.qps, burst: settings?.burst ?? defaults.burst }), registry };
}

export interface RunComponentOptions {
  /** The component's name in logs and leader election identity. */
  name: string;
  client: RestClient;
  /** Without settings (in-process, in tests): no leader election and no serving. */
  settings?: Pick<ComponentSettings, 'leaderElection' | 'serving'>;
  registry: Registry;
  /** Checks for /readyz beyond liveness and the work's own sync. */
  readyz?: HealthCheck[];
  signal: AbortSignal;
  /**
   * The component's work, run while this process leads (or always, without
   * leader election); it calls `synced` once its informers have synced, and
   * /readyz fails from the start of the work until then.
   */
  run(signal: AbortSignal, synced: () => void): Promise<void>;
  /** Resolves once the health endpoint listens (tests read its URL). */
  onServing?(serving: SecureServing): void;
}

/**
 * Runs a control-plane component the way kube's run: its health and metrics
 * endpoint first, then the work, under leader election when it is on (a
 * standby is ready; a leader is ready once its work has synced). Answers
 * 'lost' when leadership was lost or the work ended on its own (the caller
 * should exit, as kube's components do), 'stopped' after the signal aborted.
 */
export async function runComponent(opts: RunComponentOptions): Promise<'stopped' | 'lost'> {
  let syncing = false;
  const work = async (signal: AbortSignal) => {
    syncing = true;
    try {
      await opts.run(signal, () => (syncing = false));
    } finally {
      syncing = false;
    }
  };
  const serving = await startSecureServing({
    ...(opts.settings?.serving ?? { bindAddress: '127.0.0.1', securePort: 0 }),
    registry: opts.registry,
    readyz: [{ name: 'informer-sync', check: () => (syncing ? 'informers have not synced yet' : undefined) }, ...(opts.readyz ?? [])],
  });
  if (serving) {
    log.info(`${opts.name} serving health and metrics`, { url: serving.url });
    opts.onServing?.(serving);
  }
  try {
    const election = opts.settings?.leaderElection;
    if (!election) {
      await work(opts.signal);
      return 'stopped';
    }
    const identity = `${hostname()}_${randomUUID()}`;
    // The Lease has a client of its own: renewals never queue behind the component's writes.
    const leaseClient = new RestClient(opts.client.config, { qps: 0 });
    try {
      const outcome = await runLeaderElection({
        client: leaseClient, ...election, identity, signal: opts.signal,
        onNewLeader: (holder) => log.info('new leader elected', { component: opts.name, holder, self: holder === identity }),
        lead: work,
      });
      return outcome === 'released' ? 'stopped' : 'lost';
    } finally {
      leaseClient.close();
    }
  } finally {
    await serving?.close();
  }
}

/** Aborts on SIGTERM or SIGINT, logging which; the component then stops cleanly. */
export function stopOnSignals(name: string): AbortSignal {
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      log.info(`${name} stopping`, { signal: sig });
      stop.abort();
    });
  }
  return stop.signal;
}

/** Resolves once `signal` aborts, at once if it already has (a signal that came during start-up must not be missed). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
