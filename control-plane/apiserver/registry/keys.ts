import type { Kind } from '../../../api/kind.js';

/** `/registry/<resource>/` (core) or `/registry/<group>/<resource>/`, then namespace and name. */
export function resourcePrefix(kind: Kind): string {
  return kind.group ? `/registry/${kind.group}/${kind.plural}/` : `/registry/${kind.plural}/`;
}

export function listPrefix(kind: Kind, namespace?: string): string {
  return kind.namespaced && namespace ? `${resourcePrefix(kind)}${namespace}/` : resourcePrefix(kind);
}

export function objectKey(kind: Kind, namespace: string | undefined, name: string): string {
  return kind.namespaced ? `${resourcePrefix(kind)}${namespace}/${name}` : `${resourcePrefix(kind)}${name}`;
}
