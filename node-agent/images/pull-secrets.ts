import type { AnyObject } from '../../client/resource.js';

/**
 * A registry credential as CRI's AuthConfig carries it. No server address:
 * containerd would parse it as a URL and drop a credential keyed by a bare
 * host:port; the credential is only ever sent for its own registry anyway.
 */
export interface RegistryAuth {
  username?: string;
  password?: string;
}

/** The registry host of an image reference, as Docker resolves it (docker.io when the first part is not a host). */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** The entries of a dockerconfigjson (or legacy dockercfg) secret: registry key → credential. */
function entriesOf(secret: AnyObject): Record<string, AnyObject> {
  const data = secret.data ?? {};
  const decode = (key: string) => JSON.parse(Buffer.from(data[key], 'base64').toString('utf8'));
  if (secret.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) return decode('.dockerconfigjson').auths ?? {};
  if (secret.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) return decode('.dockercfg');
  return {};
}

/** A credential key (`https://host:port/v1/`, `host:port`, `host/path`) matches the image if its host does and its path is a prefix. */
function matches(key: string, image: string): boolean {
  const bare = key.replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/$/, '');
  const [host, ...path] = bare.split('/');
  const registry = registryOf(image);
  const wanted = registry === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [registry];
  if (!wanted.includes(host)) return false;
  const repository = image.slice(registry === 'docker.io' && !image.startsWith('docker.io/') ? 0 : registry.length + 1).split(/[:@]/)[0];
  return !path.length || repository === path.join('/') || repository.startsWith(`${path.join('/')}/`);
}

/**
 * The credentials the pod's imagePullSecrets hold for the image's registry,
 * most specific first, as the kubelet tries them: each is offered to the
 * runtime in turn until a pull succeeds. Secrets that do not exist, or of
 * another type, give nothing (the pull is then tried without credentials).
 */
export function pullCredentials(image: string, secrets: AnyObject[]): RegistryAuth[] {
  const found: { specificity: number; auth: RegistryAuth }[] = [];
  for (const secret of secrets) {
    for (const [key, entry] of Object.entries(entriesOf(secret))) {
      if (!matches(key, image)) continue;
      let { username, password } = entry;
      if ((!username || !password) && entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) [username, password] = [decoded.slice(0, i), decoded.slice(i + 1)];
      }
      found.push({ specificity: key.replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/$/, '').length, auth: { username, password } });
    }
  }
  return found.sort((a, b) => b.specificity - a.specificity).map((f) => f.auth);
}
