import { isNotFound } from './api-error.js';
import { apiVersionOf, type ResourceRef } from './resource.js';
import type { RestClient } from './rest-client.js';

/** One entry of a group version's APIResourceList. */
interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

interface APIGroup {
  name: string;
  versions: Array<{ version: string }>;
  preferredVersion?: { version: string };
}

/** A served collection and the kind it holds, as discovery answers it. */
export interface DiscoveredResource {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  verbs: string[];
}

const groupVersionPath = (group: string, version: string): string => (group ? `/apis/${group}/${version}` : `/api/${version}`);

async function resourceList(client: RestClient, group: string, version: string, signal?: AbortSignal): Promise<APIResource[]> {
  const list = await client.request<{ resources?: APIResource[] }>({ method: 'GET', path: groupVersionPath(group, version), signal });
  return list.resources ?? [];
}

/** Whether the API server serves this collection (its group version answers, and lists it). */
export async function servesResource(client: RestClient, ref: ResourceRef, signal?: AbortSignal): Promise<boolean> {
  try {
    return (await resourceList(client, ref.group, ref.version, signal)).some((r) => r.name === ref.resource);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * client-go's discovery walk (ServerGroupsAndResources): the collections
 * of every group version the API server serves, or only of each group's
 * preferred version; subresources (pods/status, deployments/scale) are
 * left out. `preferred` marks those of a preferred version (the first
 * core version, a group's preferredVersion or else its first).
 */
export async function discoverResources(
  client: RestClient,
  opts: { preferredOnly?: boolean; signal?: AbortSignal } = {},
): Promise<Array<DiscoveredResource & { preferred: boolean }>> {
  const found: Array<DiscoveredResource & { preferred: boolean }> = [];
  const read = async (group: string, version: string, preferred: boolean) => {
    for (const r of await resourceList(client, group, version, opts.signal)) {
      if (r.name.includes('/')) continue;
      const ref: ResourceRef = { group, version, resource: r.name, namespaced: r.namespaced };
      found.push({ ref, apiVersion: apiVersionOf(ref), kind: r.kind, verbs: r.verbs ?? [], preferred });
    }
  };
  const core = await client.request<{ versions?: string[] }>({ method: 'GET', path: '/api', signal: opts.signal });
  for (const [i, version] of (core.versions ?? []).entries()) {
    if (i === 0 || !opts.preferredOnly) await read('', version, i === 0);
  }
  const groups = await client.request<{ groups?: APIGroup[] }>({ method: 'GET', path: '/apis', signal: opts.signal });
  for (const g of groups.groups ?? []) {
    const preferred = g.preferredVersion?.version ?? g.versions[0]?.version;
    for (const { version } of g.versions) {
      if (version === preferred || !opts.preferredOnly) await read(g.name, version, version === preferred);
    }
  }
  return found;
}
