import type { Kind } from '../../api/kind.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-skiff',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-29T00:00:00Z',
  goVersion: 'node' + process.versions.node,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function groupVersions(kinds: Kind[]): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const k of kinds) {
    if (!groups.has(k.group)) groups.set(k.group, new Set());
    groups.get(k.group)!.add(k.version);
  }
  return groups;
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: Set<string>) {
  const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(kinds: Kind[]) {
  const groups = [...groupVersions(kinds)].filter(([g]) => g !== '').map(([g, v]) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g, v);
    return rest;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroupOf(kinds: Kind[], group: string) {
  const versions = groupVersions(kinds).get(group);
  return versions && group ? apiGroup(group, versions) : undefined;
}

/** The resources of one group version, subresources included, for kubectl's discovery. */
export function apiResourceList(kinds: Kind[], group: string, version: string) {
  const matching = kinds.filter((k) => k.group === group && k.version === version);
  if (!matching.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const k of matching) {
    resources.push({
      name: k.plural, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: k.verbs ?? ALL_VERBS,
      ...(k.shortNames ? { shortNames: k.shortNames } : {}),
      ...(k.categories ? { categories: k.categories } : {}),
    });
    if (k.subresources?.status) {
      resources.push({ name: `${k.plural}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (k.subresources?.scale) {
      resources.push({ name: `${k.plural}/scale`, singularName: '', namespaced: k.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
    if (k.subresources?.binding) {
      resources.push({ name: `${k.plural}/binding`, singularName: '', namespaced: k.namespaced, kind: 'Binding', verbs: ['create'] });
    }
    if (k.subresources?.streaming) {
      resources.push(
        { name: `${k.plural}/attach`, singularName: '', namespaced: k.namespaced, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
        { name: `${k.plural}/exec`, singularName: '', namespaced: k.namespaced, kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: `${k.plural}/log`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get'] },
        { name: `${k.plural}/portforward`, singularName: '', namespaced: k.namespaced, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      );
    }
    if (k.subresources?.approval) {
      resources.push({ name: `${k.plural}/approval`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (k.subresources?.token) {
      resources.push({ name: `${k.plural}/token`, singularName: '', namespaced: k.namespaced, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    }
    if (k.kind === 'Namespace') {
      resources.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
