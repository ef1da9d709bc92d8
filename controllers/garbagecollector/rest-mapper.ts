import type { ResourceRef } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';

interface APIResource { name: string; kind: string; namespaced: boolean; verbs?: string[] }
interface APIGroup { name: string; versions: Array<{ version: string }>; preferredVersion?: { version: string } }

/** A served resource and the kind it holds, as discovery answers it. */
export interface DiscoveredResource {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  verbs: string[];
}

/** An owner reference names a kind no served resource holds (yet: a new kind may appear with the next discovery). */
export class RestMappingError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`unable to get REST mapping for ${apiVersion}/${kind}.`);
    this.name = 'RestMappingError';
  }
}

// kube's garbage collector watches everything but these: events own nothing and are many.
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/**
 * kube's RESTMapper, from discovery: which resource holds a kind at an
 * apiVersion (any served version, as owner references may name any), and
 * which resources in their groups' preferred versions the garbage
 * collector watches. It changes only when refresh() reads discovery again.
 */
export class RestMapper {
  private byKind = new Map<string, DiscoveredResource>();
  private preferred: DiscoveredResource[] = [];

  constructor(private readonly client: RestClient) {}

  async refresh(signal?: AbortSignal): Promise<void> {
    const byKind = new Map<string, DiscoveredResource>();
    const preferred: DiscoveredResource[] = [];
    const read = async (group: string, version: string, isPreferred: boolean) => {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const list = await this.client.request<{ resources?: APIResource[] }>({ method: 'GET', path, signal });
      for (const r of list.resources ?? []) {
        // Subresources (pods/status, deployments/scale) are not collections of objects.
        if (r.name.includes('/')) continue;
        const resource: DiscoveredResource = {
          ref: { group, version, resource: r.name, namespaced: r.namespaced },
          apiVersion: group ? `${group}/${version}` : version,
          kind: r.kind,
          verbs: r.verbs ?? [],
        };
        byKind.set(kindKey(resource.apiVersion, r.kind), resource);
        if (isPreferred) preferred.push(resource);
      }
    };
    const core = await this.client.request<{ versions?: string[] }>({ method: 'GET', path: '/api', signal });
    for (const [i, version] of (core.versions ?? []).entries()) await read('', version, i === 0);
    const groups = await this.client.request<{ groups?: APIGroup[] }>({ method: 'GET', path: '/apis', signal });
    for (const g of groups.groups ?? []) {
      const preferredVersion = g.preferredVersion?.version ?? g.versions[0]?.version;
      for (const { version } of g.versions) await read(g.name, version, version === preferredVersion);
    }
    this.byKind = byKind;
    this.preferred = preferred;
  }

  /** The resource holding `kind` at `apiVersion`; throws RestMappingError when none does. */
  resourceFor(apiVersion: string, kind: string): ResourceRef {
    const found = this.byKind.get(kindKey(apiVersion, kind));
    if (!found) throw new RestMappingError(apiVersion, kind);
    return found.ref;
  }

  /** kube's GetDeletableResources: preferred versions that can be listed, watched and deleted. */
  deletableResources(): DiscoveredResource[] {
    return this.preferred.filter((r) => ['delete', 'list', 'watch'].every((v) => r.verbs.includes(v)) && !IGNORED.has(`${r.ref.group}/${r.ref.resource}`));
  }
}

const kindKey = (apiVersion: string, kind: string): string => `${apiVersion}\0${kind}`;
