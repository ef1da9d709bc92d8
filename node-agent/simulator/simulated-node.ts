import { microTime, rfc3339 } from '../../api/time.js';
import {
  LABEL_ARCH, LABEL_ARCH_BETA, LABEL_HOSTNAME, LABEL_OS, LABEL_OS_BETA, LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE, NAMESPACE_NODE_LEASE, TAINT_NODE_UNINITIALIZED,
} from '../../api/well-known.js';
import type { AnyObject } from '../../client/resource.js';

/** Marks what the simulator made, so nobody mistakes a simulated node for a machine. */
export const SIMULATED_LABEL = 'node.skiff.dev/simulated';

export interface NodeShape {
  /** Capacity, which is also what is allocatable (nothing reserved for a system that does not run). */
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  /** The EBS attach limit nodes advertise (allocatable attachable-volumes-aws-ebs). */
  ebsAttachLimit: number;
  labels: Record<string, string>;
  taints: AnyObject[];
  /**
   * Registers as an agent with --cloud-provider=external does: no zone or
   * region labels and no providerID (the cloud-controller-manager sets them),
   * and the uninitialized taint until it has.
   */
  externalCloudProvider: boolean;
}

/** One simulated node: its name, zone and addresses, and its Node and Lease objects. */
export class SimulatedNode {
  readonly region: string;

  constructor(
    readonly name: string,
    readonly zone: string,
    readonly internalIP: string,
    private readonly shape: NodeShape,
  ) {
    // AWS zones are the region plus a letter (us-east-1a); other names are their own region.
    this.region = /^[a-z]{2}-[a-z]+-\d+[a-z]$/.test(zone) ? zone.slice(0, -1) : zone;
  }

  /** The Node as an agent registers it: capacity, zone labels, addresses, Ready. */
  node(): AnyObject {
    return {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: this.name,
        labels: {
          [LABEL_HOSTNAME]: this.name, [LABEL_OS]: 'linux', [LABEL_ARCH]: 'amd64',
          [LABEL_OS_BETA]: 'linux', [LABEL_ARCH_BETA]: 'amd64',
          ...(this.shape.externalCloudProvider ? {} : { [LABEL_TOPOLOGY_ZONE]: this.zone, [LABEL_TOPOLOGY_REGION]: this.region }),
          [SIMULATED_LABEL]: 'true',
          ...this.shape.labels,
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.taints().length ? { taints: this.taints() } : {},
      status: this.status(true),
    };
  }

  private taints(): Record<string, unknown>[] {
    return this.shape.externalCloudProvider ? [...this.shape.taints, { key: TAINT_NODE_UNINITIALIZED, value: 'true', effect: 'NoSchedule' }] : this.shape.taints;
  }

  /** Node status as the agent reports it; `ready` false reports NotReady (KubeletNotReady). */
  status(ready: boolean, now = rfc3339(Date.now())): Record<string, any> {
    const resources = {
      cpu: this.shape.cpu, memory: this.shape.memory, pods: this.shape.pods, 'ephemeral-storage': this.shape.ephemeralStorage,
      ...(this.shape.ebsAttachLimit > 0 ? { 'attachable-volumes-aws-ebs': String(this.shape.ebsAttachLimit) } : {}),
    };
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
    return {
      capacity: resources,
      allocatable: resources,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready
          ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : condition('Ready', 'False', 'KubeletNotReady', 'container runtime is down'),
      ],
      addresses: [{ type: 'InternalIP', address: this.internalIP }, { type: 'Hostname', address: this.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: 'Skiff simulated node',
        containerRuntimeVersion: 'simulated://0.1.0', kubeletVersion: 'v1.32.0-skiff', kubeProxyVersion: '',
        operatingSystem: 'linux', architecture: 'amd64',
      },
    };
  }

  /** The node's Lease in kube-node-lease, owned by its Node so it goes with it. */
  lease(nodeUid: string, durationSeconds: number): AnyObject {
    return {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name: this.name, namespace: NAMESPACE_NODE_LEASE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: nodeUid }],
      },
      spec: { holderIdentity: this.name, leaseDurationSeconds: durationSeconds, renewTime: microTime() },
    };
  }
}
