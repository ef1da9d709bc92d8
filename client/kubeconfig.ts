import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** How to reach and authenticate to an API server; PEM strings, not file names. */
export interface ClientConfig {
  /** https://host:port, optionally with a path prefix. */
  server: string;
  /** PEM bundle the server certificate must chain to; the system roots when unset. */
  ca?: string;
  token?: string;
  /**
   * A file holding the bearer token, re-read as it changes (projected service
   * account tokens rotate); it wins over `token` when both are set.
   */
  tokenFile?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** Skip verification of the server certificate. */
  insecure?: boolean;
}

/** A ClientConfig as a kubeconfig context describes it. */
export interface Kubeconfig extends ClientConfig {
  context: string;
  /** The context's default namespace, when it names one. */
  namespace?: string;
}

interface Named<T> { value: T; baseDir: string }

interface Merged {
  currentContext?: string;
  clusters: Map<string, Named<Record<string, unknown>>>;
  users: Map<string, Named<Record<string, unknown>>>;
  contexts: Map<string, Named<Record<string, unknown>>>;
}

/** $KUBECONFIG (a path list) when set, else ~/.kube/config. */
export function defaultKubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  return list.length ? list : [join(homedir(), '.kube', 'config')];
}

/**
 * Loads the config for one context. Several files merge the way kubectl merges
 * them: the first file to define a name or the current context wins, and files
 * that do not exist are skipped.
 */
export function loadKubeconfig(options: { path?: string | string[]; context?: string } = {}): Kubeconfig {
  const paths = options.path === undefined ? defaultKubeconfigPaths() : [options.path].flat();
  const present = paths.filter((p) => existsSync(p));
  if (!present.length) throw new Error(`no kubeconfig found at ${paths.join(delimiter)}`);
  const merged = emptyMerge();
  for (const path of present) mergeDocument(merged, readFileSync(path, 'utf8'), dirname(resolve(path)), path);
  return resolveContext(merged, options.context);
}

/** Reads a kubeconfig from text; relative file names resolve against `baseDir`. */
export function parseKubeconfig(text: string, options: { baseDir: string; context?: string }): Kubeconfig {
  const merged = emptyMerge();
  mergeDocument(merged, text, resolve(options.baseDir), 'kubeconfig');
  return resolveContext(merged, options.context);
}

function emptyMerge(): Merged {
  return { clusters: new Map(), users: new Map(), contexts: new Map() };
}

function mergeDocument(merged: Merged, text: string, baseDir: string, source: string): void {
  const doc = parse(text) as Record<string, unknown> | null;
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${source}: a kubeconfig must be a YAML mapping`);
  const current = doc['current-context'];
  if (merged.currentContext === undefined && typeof current === 'string' && current) merged.currentContext = current;
  const sections = [['clusters', 'cluster'], ['users', 'user'], ['contexts', 'context']] as const;
  for (const [list, field] of sections) {
    const entries = doc[list] ?? [];
    if (!Array.isArray(entries)) throw new Error(`${source}: ${list} must be a list`);
    for (const entry of entries as Record<string, unknown>[]) {
      const name = entry?.name;
      if (typeof name !== 'string' || !name) throw new Error(`${source}: every entry of ${list} needs a name`);
      const value = entry[field] ?? {};
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: ${list} entry ${name} has no ${field} mapping`);
      if (!merged[list].has(name)) merged[list].set(name, { value: value as Record<string, unknown>, baseDir });
    }
  }
}

function resolveContext(merged: Merged, wanted: string | undefined): Kubeconfig {
  const contextName = wanted ?? merged.currentContext;
  if (!contextName) throw new Error('kubeconfig has no current-context and none was asked for');
  const context = merged.contexts.get(contextName);
  if (!context) {
    throw new Error(`kubeconfig has no context ${JSON.stringify(contextName)} (known: ${[...merged.contexts.keys()].join(', ') || 'none'})`);
  }
  const clusterName = str(context.value.cluster);
  const cluster = clusterName === undefined ? undefined : merged.clusters.get(clusterName);
  if (!cluster) throw new Error(`context ${contextName} names cluster ${JSON.stringify(clusterName)}, which the kubeconfig does not define`);
  const userName = str(context.value.user);
  const user = userName === undefined ? undefined : merged.users.get(userName);
  if (userName !== undefined && !user) throw new Error(`context ${contextName} names user ${JSON.stringify(userName)}, which the kubeconfig does not define`);

  const server = str(cluster.value.server);
  if (!server) throw new Error(`cluster ${clusterName} has no server`);
  const config: Kubeconfig = { context: contextName, server };
  const namespace = str(context.value.namespace);
  if (namespace) config.namespace = namespace;

  const ca = dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority');
  if (ca !== undefined) config.ca = ca;
  if (cluster.value['insecure-skip-tls-verify'] === true) config.insecure = true;

  if (user) {
    const u = user.value;
    if (u.exec) throw new Error(`user ${userName}: exec credential plugins are not supported; use a token or client certificate`);
    if (u['auth-provider']) throw new Error(`user ${userName}: auth-provider plugins are not supported; use a token or client certificate`);
    if (u.username !== undefined || u.password !== undefined) {
      throw new Error(`user ${userName}: basic authentication is not supported; use a token or client certificate`);
    }
    const token = str(u.token);
    if (token) config.token = token;
    const tokenFile = str(u.tokenFile);
    if (tokenFile) config.tokenFile = filePath(user.baseDir, tokenFile);
    const cert = dataOrFile(user, 'client-certificate-data', 'client-certificate');
    const key = dataOrFile(user, 'client-key-data', 'client-key');
    if ((cert === undefined) !== (key === undefined)) throw new Error(`user ${userName}: a client certificate needs its key, and a key its certificate`);
    if (cert !== undefined) config.cert = cert;
    if (key !== undefined) config.key = key;
  }
  return config;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function filePath(baseDir: string, name: string): string {
  const expanded = name.startsWith('~/') ? join(homedir(), name.slice(2)) : name;
  return isAbsolute(expanded) ? expanded : join(baseDir, expanded);
}

// Inline data wins over a file, as in kubectl.
function dataOrFile(entry: Named<Record<string, unknown>>, dataField: string, fileField: string): string | undefined {
  const data = str(entry.value[dataField]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(entry.value[fileField]);
  if (file) return readFileSync(filePath(entry.baseDir, file), 'utf8');
  return undefined;
}
