import { deepEqual } from '../../api/deep-equal.js';
import { nodeCondition, type NodeCondition } from '../../api/node-status.js';
import { now as timestamp } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';

/** What the controller last saw of a node, and when by its own clock (so kubelet clock skew never matters). */
export interface NodeHealth {
  probeTimestamp: number;
  status: Record<string, any>;
  lease?: AnyObject;
}

/** What tryUpdateNodeHealth answers, with kube's names. */
export interface NodeReadyConditions {
  /** The Ready condition as the node carried it before this look (a stand-in when it had none). */
  observedReadyCondition: NodeCondition;
  /** The Ready condition after it: Unknown once the node stayed silent past its grace period. */
  currentReadyCondition?: NodeCondition;
}

// The conditions a silent kubelet can no longer vouch for; NetworkUnavailable belongs to the network plugin.
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const renewedAt = (lease: AnyObject | undefined): number => Date.parse(lease?.spec?.renewTime ?? '');

/**
 * kube's tryUpdateNodeHealth. A node proves it is alive by a new heartbeat
 * on its Ready condition or by renewing its Lease in kube-node-lease; each
 * time either moves, the probe time becomes now. Past the grace period (the
 * startup one for a node that never posted a Ready condition) its kubelet
 * conditions become Unknown, written through `writeStatus`.
 */
export class NodeHealthTracker {
  private readonly health = new Map<string, NodeHealth>();

  constructor(
    private readonly opts: { monitorGracePeriodMs: number; startupGracePeriodMs: number },
    private readonly leaseOf: (nodeName: string) => AnyObject | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  get(name: string): NodeHealth | undefined {
    return this.health.get(name);
  }

  forget(name: string): void {
    this.health.delete(name);
  }

  /** Gives every node a fresh grace period, as kube does when a cluster-wide disruption ends. */
  restartProbes(names: string[]): void {
    const now = this.clock();
    for (const name of names) {
      const h = this.health.get(name);
      if (h) this.health.set(name, { ...h, probeTimestamp: now });
    }
  }

  /** Looks at `node` (a copy the caller owns: its status is changed in place when it goes Unknown). */
  async tryUpdateNodeHealth(node: AnyObject, writeStatus: (node: AnyObject) => Promise<unknown>): Promise<NodeReadyConditions> {
    const name = node.metadata.name!;
    node.status ??= {};
    let health = this.health.get(name);
    try {
      const now = this.clock();
      const created = node.metadata.creationTimestamp;
      let current = nodeCondition(node.status, 'Ready');
      let observed: NodeCondition;
      let gracePeriod: number;
      if (!current) {
        // Never posted: seen from its creation, with the longer startup grace.
        observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
        gracePeriod = this.opts.startupGracePeriodMs;
        const createdMs = Date.parse(created ?? '') || now;
        health = health ? { ...health, status: node.status } : { status: node.status, probeTimestamp: createdMs };
      } else {
        observed = { ...current };
        gracePeriod = this.opts.monitorGracePeriodMs;
      }

      const saved = health ? nodeCondition(health.status, 'Ready') : undefined;
      if (!health || (!saved && current) || (saved && !current)) {
        // First sight (or a restart of this controller): the node gets a whole grace period from now.
        health = { status: node.status, probeTimestamp: now };
      } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
        health = { status: node.status, probeTimestamp: now };
      }

      const lease = this.leaseOf(name);
      if (lease && (!health.lease || renewedAt(health.lease) < renewedAt(lease))) {
        health = { ...health, lease, probeTimestamp: now };
      }

      if (now > health.probeTimestamp + gracePeriod) {
        const stamp = timestamp();
        const conditions: NodeCondition[] = (node.status.conditions = Array.isArray(node.status.conditions) ? node.status.conditions : []);
        for (const type of KUBELET_CONDITIONS) {
          const condition = nodeCondition(node.status, type);
          if (!condition) {
            conditions.push({
              type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
              lastHeartbeatTime: created, lastTransitionTime: stamp,
            });
          } else if (condition.status !== 'Unknown') {
            Object.assign(condition, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp });
          }
        }
        current = nodeCondition(node.status, 'Ready');
        if (!deepEqual(current, observed)) {
          await writeStatus(node);
          health = { status: node.status, probeTimestamp: health.probeTimestamp, lease };
        }
      }
      return { observedReadyCondition: observed, currentReadyCondition: current };
    } finally {
      // Kept even when the write failed, as kube does: the probe times stand.
      if (health) this.health.set(name, health);
    }
  }
}
