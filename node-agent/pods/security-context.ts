import type { AnyObject } from '../../client/resource.js';
import type { RuntimeClient } from '../cri/runtime-client.js';

/** The fields a pod's securityContext gives every container that does not set them itself. */
const INHERITED = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'appArmorProfile'] as const;

/** The container's securityContext over the pod's: the container's own value wins, field by field. */
export function effectiveSecurityContext(pod: AnyObject, container: Record<string, any>): Record<string, any> {
  const podSc = pod.spec?.securityContext ?? {};
  const sc: Record<string, any> = { ...(container.securityContext ?? {}) };
  for (const field of INHERITED) if (sc[field] === undefined && podSc[field] !== undefined) sc[field] = podSc[field];
  return sc;
}

/** The namespaces a pod's containers share (network and IPC with the sandbox; PID only with shareProcessNamespace), or take from the node. */
export function namespaceOptions(pod: AnyObject): Record<string, string> {
  const spec = pod.spec ?? {};
  return {
    network: spec.hostNetwork ? 'NODE' : 'POD',
    pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec.hostIPC ? 'NODE' : 'POD',
  };
}

/** fsGroup, then supplementalGroups: the groups every process of the pod also belongs to, in the kubelet's order. */
function supplementalGroups(pod: AnyObject): number[] {
  const podSc = pod.spec?.securityContext ?? {};
  return [...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : []), ...(podSc.supplementalGroups ?? [])];
}

const int64 = (value: number | undefined) => (value === undefined || value === null ? undefined : { value });

/**
 * The sandbox's LinuxSandboxSecurityContext: the pod's user, group and
 * groups, its namespaces, and privileged when any container is (a runtime
 * refuses a privileged container in an unprivileged sandbox).
 */
export function sandboxSecurityContext(pod: AnyObject): Record<string, unknown> {
  const podSc = pod.spec?.securityContext ?? {};
  const containers: Record<string, any>[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return {
    namespaceOptions: namespaceOptions(pod),
    runAsUser: int64(podSc.runAsUser),
    runAsGroup: int64(podSc.runAsGroup),
    supplementalGroups: supplementalGroups(pod),
    privileged: containers.some((c) => c.securityContext?.privileged === true),
  };
}

/**
 * One container's LinuxContainerSecurityContext as the kubelet synthesizes
 * it: the effective user and group, read-only root, privileged,
 * capabilities as written (the runtime adds CAP_), the pod's groups and
 * namespaces, and no_new_privs when allowPrivilegeEscalation is false. A
 * container with no user of its own runs as its image says.
 */
export function containerSecurityContext(pod: AnyObject, container: Record<string, any>): Record<string, unknown> {
  const sc = effectiveSecurityContext(pod, container);
  return {
    capabilities: { addCapabilities: sc.capabilities?.add ?? [], dropCapabilities: sc.capabilities?.drop ?? [] },
    privileged: sc.privileged === true,
    namespaceOptions: namespaceOptions(pod),
    runAsUser: int64(sc.runAsUser),
    runAsGroup: int64(sc.runAsGroup),
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    supplementalGroups: supplementalGroups(pod),
    noNewPrivs: sc.allowPrivilegeEscalation === false,
  };
}

const podName = (pod: AnyObject) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

/**
 * runAsNonRoot checked the kubelet's way before a container is created:
 * against runAsUser when set, else against the user the image runs as
 * (an image that names no user runs as root; a user name cannot be
 * checked). Answers why the container may not start, or undefined.
 */
export async function runAsNonRootViolation(pod: AnyObject, container: Record<string, any>, runtime: RuntimeClient): Promise<string | undefined> {
  const sc = effectiveSecurityContext(pod, container);
  if (sc.runAsNonRoot !== true) return undefined;
  const where = `(pod: "${podName(pod)}", container: ${container.name})`;
  if (sc.runAsUser !== undefined) return sc.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const image = (await runtime.imageCall('ImageStatus', { image: { image: container.image } })).image;
  if (image?.uid) return image.uid.value === '0' ? `container has runAsNonRoot and image will run as root ${where}` : undefined;
  if (image?.username) return `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${where}`;
  return `container has runAsNonRoot and image will run as root ${where}`;
}
