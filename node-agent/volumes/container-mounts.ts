import { existsSync, mkdirSync, chmodSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { AnyObject } from '../../client/resource.js';
import { ContainerConfigError } from '../pods/container-env.js';
import type { MountedVolume } from './volume-manager.js';

/** A CRI Mount (runtime.v1.Mount). */
export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

const PROPAGATION: Record<string, CriMount['propagation']> = {
  None: 'PROPAGATION_PRIVATE', HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER', Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

/**
 * A container's volumeMounts as CRI mounts, as the kubelet's makeMounts
 * builds them: the volume's host path, or a path inside it with subPath
 * (or subPathExpr, expanded from the container's environment), made when
 * missing with the volume's own mode and resolved on the host so that no
 * link leads out of the volume. A subPath is pinned to the file it is when
 * the container starts, so an update of its volume does not reach it, as in
 * kube. Read-only when the mount or the volume says so.
 */
export function containerMounts(container: AnyObject, volumes: Map<string, MountedVolume>, env: Map<string, string>): CriMount[] {
  return (container.volumeMounts ?? []).map((m: AnyObject): CriMount => {
    const volume = volumes.get(m.name);
    if (!volume) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
    const propagation = PROPAGATION[m.mountPropagation ?? 'None'];
    if (!propagation) throw new ContainerConfigError(`invalid mount propagation mode ${m.mountPropagation}`);
    if (propagation === 'PROPAGATION_BIDIRECTIONAL' && !container.securityContext?.privileged) {
      throw new ContainerConfigError('Bidirectional mount propagation is available only to privileged containers');
    }
    const subPath = m.subPathExpr ? expandSubPath(m.subPathExpr, env) : m.subPath ?? '';
    return {
      containerPath: m.mountPath,
      hostPath: subPath ? subPathOnHost(volume.hostPath, subPath) : volume.hostPath,
      readonly: !!m.readOnly || volume.readOnly,
      propagation,
    };
  });
}

/** `$(VAR)` from the container's environment; a name it does not set (or sets empty) is an error. */
function expandSubPath(expr: string, env: Map<string, string>): string {
  const missing = new Set<string>();
  const value = expr.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name) => {
    if (whole === '$$') return '$';
    const v = env.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return value;
}

function subPathOnHost(volumePath: string, subPath: string): string {
  if (isAbsolute(subPath)) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const path = join(volumePath, subPath);
  if (!existsSync(path)) {
    // Made now with the volume's mode, so a group that may write the volume may write here too.
    const mode = statSync(volumePath).mode & 0o7777;
    mkdirSync(path, { recursive: true, mode });
    chmodSync(path, mode);
  }
  const resolved = realpathSync(path);
  const root = realpathSync(volumePath);
  if (resolved !== root && !resolved.startsWith(`${root}/`)) throw new ContainerConfigError(`subpath "${path}" not within volume path "${volumePath}"`);
  return resolved;
}
