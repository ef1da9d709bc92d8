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

/** The versions of aggregated discovery Skiff serves; kubectl 1.30+ asks for v2, older clients for v2beta1. */
const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const;
export type AggregatedVersion = (typeof AGGREGATED_VERSIONS)[number];

/**
 * Which aggregated discovery version an Accept header asks for, honouring
 * its order: undefined when a plain JSON (or anything) clause comes first,
 * or none names an APIGroupDiscoveryList in JSON. Protobuf clauses are
 * passed over, as Skiff answers discovery in JSON only.
 */
export function aggregatedDiscoveryVersion(accept: string | undefined): AggregatedVersion | undefined {
  for (const clause of (accept ?? '').split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((y) => y.trim())));
    if (p.as === undefined) {
      if (type === 'application/json' || type === '*/*' || type === 'application/*') return undefined;
      continue;
    }
    if (type !== 'application/json' || p.g !== 'apidiscovery.k8s.io' || p.as !== 'APIGroupDiscoveryList') continue;
    const version = AGGREGATED_VERSIONS.find((v) => v === p.v);
    if (version) return version;
  }
  return undefined;
}

export const aggregatedContentType = (version: AggregatedVersion): string =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;

type DiscoveredResource = Record<string, any>;

/**
 * One group version in aggregated form, folded from the same APIResourceList
 * the per-version endpoint serves: `pods/exec` becomes a subresource of pods.
 */
function versionDiscovery(kinds: Kind[], group: string, version: string) {
  const list = apiResourceList(kinds, group, version)!;
  const byName = new Map<string, DiscoveredResource>();
  for (const r of list.resources as DiscoveredResource[]) {
    const [resource, subresource] = String(r.name).split('/');
    if (!subresource) {
      byName.set(resource, {
        resource,
        responseKind: { group: '', version: '', kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singularName,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      });
      continue;
    }
    const parent = byName.get(resource);
    if (!parent) continue;
    (parent.subresources ??= []).push({ subresource, responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind }, verbs: r.verbs });
  }
  return { version, resources: [...byName.values()], freshness: 'Current' };
}

/**
 * The APIGroupDiscoveryList of `/api` (the core group) or `/apis` (every
 * named group): each group version with its resources, so a client learns
 * the whole API in one request instead of one per group version.
 */
export function aggregatedDiscovery(kinds: Kind[], root: 'api' | 'apis', version: AggregatedVersion) {
  const items = [...groupVersions(kinds)]
    .filter(([group]) => (root === 'api' ? group === '' : group !== ''))
    .map(([group, versions]) => ({
      metadata: group ? { name: group } : {},
      versions: [...versions].map((v) => versionDiscovery(kinds, group, v)),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
