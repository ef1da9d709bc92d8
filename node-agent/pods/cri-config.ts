import { join } from 'node:path';
import type { AnyObject } from '../../client/resource.js';
import type { CriMount } from '../volumes/container-mounts.js';
import { expand } from './container-env.js';
import { containerResources } from './container-resources.js';
import type { DNSConfig } from './pod-dns.js';
import { podHostname } from './pod-hostname.js';
import { containerSecurityContext, sandboxSecurityContext } from './security-context.js';

/** The labels the kubelet puts on what it makes through CRI: how an agent finds its pods' sandboxes and containers again after a restart. */
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/**
 * Skiff's own: the node a sandbox was made for. Housekeeping only removes
 * sandboxes of its own node, so agents sharing one runtime (tests, a
 * misconfigured host) never kill each other's pods.
 */
export const LABEL_NODE_NAME = 'skiff.dev/node-name';

export interface SandboxSettings {
  /** Where pod logs go: <rootDir>/pods/<namespace>_<name>_<uid>/<container>/<attempt>.log, as the kubelet lays them out. */
  rootDir: string;
  /** The cgroup every pod of this node goes under. */
  cgroupParent: string;
  /** The node the sandboxes are made for (LABEL_NODE_NAME). */
  nodeName: string;
  /** --cluster-domain: the end of a pod's FQDN hostname. */
  clusterDomain: string;
}

export const podLogDirectory = (pod: AnyObject, s: SandboxSettings) => join(s.rootDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);

const podLabels = (pod: AnyObject) => ({ [LABEL_POD_UID]: pod.metadata.uid, [LABEL_POD_NAME]: pod.metadata.name, [LABEL_POD_NAMESPACE]: pod.metadata.namespace });

/**
 * The sandbox of a pod: its network (the pod's IP comes from CNI), hostname, resolver (the runtime writes its
 * /etc/resolv.conf from dnsConfig), log folder and security context.
 */
export function sandboxConfig(pod: AnyObject, s: SandboxSettings, attempt: number, dnsConfig: DNSConfig): Record<string, unknown> {
  return {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, attempt },
    hostname: podHostname(pod, s.clusterDomain),
    logDirectory: podLogDirectory(pod, s),
    dnsConfig,
    labels: { ...(pod.metadata.labels ?? {}), ...podLabels(pod), [LABEL_NODE_NAME]: s.nodeName },
    linux: {
      cgroupParent: s.cgroupParent,
      securityContext: sandboxSecurityContext(pod),
    },
  };
}

/**
 * One container of the pod: image, command, args (with `$(VAR)` expanded), its environment, volume mounts, working dir,
 * log path, and its Linux settings (resources against the node's memory, security context).
 */
export function containerConfig(pod: AnyObject, container: AnyObject, attempt: number, env: [string, string][], mounts: CriMount[], memoryCapacityBytes: number): Record<string, unknown> {
  const vars = new Map(env);
  return {
    metadata: { name: container.name, attempt },
    image: { image: container.image },
    command: (container.command ?? []).map((c: string) => expand(c, vars)),
    args: (container.args ?? []).map((a: string) => expand(a, vars)),
    workingDir: container.workingDir ?? '',
    envs: env.map(([key, value]) => ({ key, value: Buffer.from(value) })),
    mounts,
    labels: { ...podLabels(pod), [LABEL_CONTAINER_NAME]: container.name },
    logPath: join(container.name, `${attempt}.log`),
    stdin: !!container.stdin, stdinOnce: !!container.stdinOnce, tty: !!container.tty,
    linux: { resources: containerResources(pod, container, memoryCapacityBytes), securityContext: containerSecurityContext(pod, container) },
  };
}
