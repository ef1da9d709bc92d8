import { setTimeout as delay } from 'node:timers/promises';
import { microTime } from '../api/time.js';
import { isAlreadyExists, isConflict, isNotFound } from './api-error.js';
import { log, logError, type ErrorReporter } from './log.js';
import type { KubeObject } from './resource.js';
import { LEASES } from './resources.js';
import type { RestClient } from './rest-client.js';

/** kube's --leader-elect-* defaults. */
export const LEADER_ELECTION_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectionOptions {
  client: RestClient;
  /** The Lease that is the lock: kube-system/kube-scheduler, kube-system/kube-controller-manager. */
  namespace: string;
  name: string;
  /** This candidate's name in the Lease (kube uses host name plus a unique suffix). */
  identity: string;
  /** How long others wait after the last renewal before taking over. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up leading. */
  renewDeadlineMs: number;
  /** How often candidates try to acquire and the leader renews. */
  retryPeriodMs: number;
  /** Aborting stops leading (or waiting to lead) and releases the Lease. */
  signal: AbortSignal;
  /** The work; its signal aborts when leadership ends. */
  lead(signal: AbortSignal): Promise<void>;
  /** Someone (maybe this candidate) became the holder. */
  onNewLeader?(identity: string): void;
  onError?: ErrorReporter;
}

interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * Leader election through a coordination.k8s.io Lease, as client-go does it:
 * candidates try every retry period; the holder renews every retry period and
 * stops leading once it has failed to renew for the renew deadline; a Lease
 * whose record has not changed for its duration may be taken over. Answers
 * 'released' after the signal aborted (the Lease is handed back so a standby
 * takes over at once), 'lost' when leadership was lost, or 'failed' (Lease
 * released) when the work ended on its own: a component should then exit,
 * as kube's do, so it never acts beside the new leader.
 */
export async function runLeaderElection(opts: LeaderElectionOptions): Promise<'released' | 'lost' | 'failed'> {
  const onError = opts.onError ?? logError;
  const { signal } = opts;
  if (!(opts.leaseDurationMs > opts.renewDeadlineMs && opts.renewDeadlineMs > opts.retryPeriodMs * 1.2 && opts.retryPeriodMs > 0)) {
    throw new Error('leader election needs lease duration > renew deadline > 1.2 x retry period > 0');
  }
  let observed: { record: string; at: number } | undefined;
  let lastPoll = 0;
  let holder = '';

  /** One acquire-or-renew attempt; answers whether this candidate holds the Lease now, and when to try next. */
  const tryAcquireOrRenew = async (attemptSignal: AbortSignal = signal): Promise<{ held: boolean; retryInMs: number }> => {
    const now = Date.now();
    const previousPoll = lastPoll || now;
    lastPoll = now;
    let lease: LeaseObject;
    try {
      lease = await opts.client.get<LeaseObject>(LEASES, opts.name, { namespace: opts.namespace, signal: attemptSignal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await opts.client.create<LeaseObject>(LEASES, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: opts.name, namespace: opts.namespace },
          spec: { holderIdentity: opts.identity, leaseDurationSeconds: Math.ceil(opts.leaseDurationMs / 1000), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        }, { signal: attemptSignal });
        return { held: true, retryInMs: opts.retryPeriodMs };
      } catch (createErr) {
        if (isAlreadyExists(createErr)) return { held: false, retryInMs: 0 };
        throw createErr;
      }
    }
    const spec = lease.spec ?? {};
    const current = spec.holderIdentity ?? '';
    const record = JSON.stringify([current, spec.renewTime, spec.acquireTime, spec.leaseTransitions]);
    if (observed?.record !== record) {
      // The change happened after the previous look: dating it then (never more
      // than half the gap between renew deadline and lease duration back) lets a
      // standby take over as soon as the lease runs out, and never while a live
      // leader still believes it leads.
      const earliest = now - (opts.leaseDurationMs - opts.renewDeadlineMs) / 2;
      observed = { record, at: Math.max(previousPoll, earliest) };
    }
    if (current !== holder) {
      holder = current;
      if (current) opts.onNewLeader?.(current);
    }
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000 || opts.leaseDurationMs;
    // A leader stops acting at most the renew deadline after its last renewal,
    // which came at most a (jittered) retry period after the change was dated:
    // half of what the lease duration leaves beyond that (up to a second) is
    // spent on taking over, so a dead leader is replaced within the lease
    // duration even when the API server is slow to answer.
    const spare = durationMs - opts.renewDeadlineMs - 1.2 * opts.retryPeriodMs;
    const expiresAt = observed.at + durationMs - Math.max(0, Math.min(1000, spare / 2));
    if (current && current !== opts.identity && now < expiresAt) {
      return { held: false, retryInMs: Math.min(opts.retryPeriodMs, expiresAt - now + 1) };
    }
    const mine = current === opts.identity;
    const next: LeaseObject = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: opts.identity,
        leaseDurationSeconds: Math.ceil(opts.leaseDurationMs / 1000),
        renewTime: microTime(now),
        acquireTime: mine ? spec.acquireTime : microTime(now),
        leaseTransitions: mine ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      await opts.client.update<LeaseObject>(LEASES, next, { signal: attemptSignal });
    } catch (err) {
      if (isConflict(err)) return { held: false, retryInMs: 0 };
      throw err;
    }
    return { held: true, retryInMs: opts.retryPeriodMs };
  };

  // Wait until this candidate holds the Lease.
  let acquired = false;
  while (!signal.aborted && !acquired) {
    let wait = opts.retryPeriodMs * (1 + Math.random() * 0.2);
    try {
      const attempt = await tryAcquireOrRenew();
      acquired = attempt.held;
      wait = Math.min(wait, attempt.retryInMs);
    } catch (err) {
      if (signal.aborted) break;
      onError(err, { component: 'leader-election', lease: `${opts.namespace}/${opts.name}`, phase: 'acquire' });
    }
    if (!acquired) await delay(wait, undefined, { signal }).catch(() => undefined);
  }
  if (!acquired) return 'released';
  log.info('became leader', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  if (holder !== opts.identity) {
    holder = opts.identity;
    opts.onNewLeader?.(opts.identity);
  }

  // Lead, renewing every retry period, until the signal aborts, renewal has
  // failed for the renew deadline (a renewal that hangs counts as failing), or
  // the work itself ends: a component whose work stopped must not sit on the Lease.
  const leading = new AbortController();
  const stopLeading = () => leading.abort();
  signal.addEventListener('abort', stopLeading, { once: true });
  let workEnded = false;
  const work = opts.lead(leading.signal).catch((err) => {
    if (!leading.signal.aborted) onError(err, { component: 'leader-election', lease: `${opts.namespace}/${opts.name}`, phase: 'lead' });
  }).finally(() => {
    workEnded = true;
  });
  let lastRenew = Date.now();
  let outcome: 'released' | 'lost' | 'failed' = 'released';
  while (!signal.aborted) {
    await Promise.race([delay(opts.retryPeriodMs, undefined, { signal }).catch(() => undefined), work]);
    if (signal.aborted) break;
    if (workEnded) {
      outcome = 'failed';
      break;
    }
    const left = lastRenew + opts.renewDeadlineMs - Date.now();
    try {
      const attempt = left > 0 ? await tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(left)])) : undefined;
      if (attempt?.held) lastRenew = Date.now();
      else if (attempt && holder !== opts.identity) {
        outcome = 'lost';
        break;
      }
    } catch (err) {
      if (signal.aborted) break;
      onError(err, { component: 'leader-election', lease: `${opts.namespace}/${opts.name}`, phase: 'renew' });
    }
    if (Date.now() - lastRenew >= opts.renewDeadlineMs) {
      outcome = 'lost';
      break;
    }
  }
  signal.removeEventListener('abort', stopLeading);
  leading.abort();
  await work;
  if (outcome === 'lost') {
    log.error('leader election lost', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
    return 'lost';
  }
  await release(opts).catch((err) => onError(err, { component: 'leader-election', phase: 'release' }));
  if (outcome === 'failed') log.error('the leader\'s work stopped; the Lease is released', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  return outcome;
}

/** Hands the Lease back (an empty holder and a one-second duration), so a standby takes over without waiting it out. */
async function release(opts: LeaderElectionOptions): Promise<void> {
  const lease = await opts.client.get<LeaseObject>(LEASES, opts.name, { namespace: opts.namespace });
  if (lease.spec?.holderIdentity !== opts.identity) return;
  const now = microTime();
  await opts.client.update<LeaseObject>(LEASES, {
    ...lease,
    spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
  });
}
