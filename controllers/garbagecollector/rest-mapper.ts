import { discoverResources, type DiscoveredResource } from '../../client/discovery.js';
import type { ResourceRef } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';

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
    const resources = await discoverResources(this.client, { signal });
    this.byKind = new Map(resources.map((r) => [kindKey(r.apiVersion, r.kind), r]));
    this.preferred = resources.filter((r) => r.preferred);
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
