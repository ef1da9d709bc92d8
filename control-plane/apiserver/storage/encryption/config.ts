import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { identityTransformer, providerTransformer, type Provider, type Transformer } from './transformer.js';

const API_VERSION = 'apiserver.config.k8s.io/v1';
const KIND = 'EncryptionConfiguration';
const AES_KEY_BYTES = [16, 24, 32];
const UNSUPPORTED_PROVIDERS = new Set(['secretbox', 'kms']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** `secrets`, `deployments.apps`, `widgets.example.com`. */
const RESOURCE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
/** `*.` (the core group), `*.*` (everything), `*.apps` (one group). */
const WILDCARD = /^\*\.(\*|[a-z0-9-]+(\.[a-z0-9-]+)*)?$/;

/** One `resources` entry: the resources it covers and the transformer built from its providers. */
export interface EncryptionRule {
  resources: string[];
  transformer: Transformer;
}

/** A parsed `--encryption-provider-config`: rules in file order; the first that covers a resource decides. */
export interface EncryptionConfig {
  source: string;
  rules: EncryptionRule[];
}

/** The whole problem on one line, led by the file, for the API server to refuse to start with. */
class ConfigError extends Error {
  constructor(source: string, where: string, problem: string) {
    super(`${source}: ${where ? `${where}: ` : ''}${problem}`.replace(/\s*\n\s*/g, ' '));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The group a resource name or pattern is in: `` for `secrets` and `*.`, `apps` for `deployments.apps` and `*.apps`. */
const groupOf = (resource: string) => (resource.includes('.') ? resource.slice(resource.indexOf('.') + 1) : '');

/** Whether `pattern` covers every resource `other` (a name or a pattern) does. */
function covers(pattern: string, other: string): boolean {
  if (pattern === other || pattern === '*.*') return true;
  if (!pattern.startsWith('*.')) return false;
  return other !== '*.*' && groupOf(other) === groupOf(pattern);
}

/** Parses an EncryptionConfiguration in YAML or JSON; `source` names it in errors. */
export function parseEncryptionConfig(text: string, source: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The first line only: the rest quotes the file, which holds the keys.
    throw new ConfigError(source, '', `not valid YAML or JSON: ${String((err as Error).message).split('\n')[0].replace(/:$/, '')}`);
  }
  if (!isObject(doc)) throw new ConfigError(source, '', `expected an ${KIND} object`);
  for (const field of Object.keys(doc)) {
    if (!['apiVersion', 'kind', 'resources'].includes(field)) throw new ConfigError(source, '', `unknown field ${JSON.stringify(field)}`);
  }
  if (doc.kind !== KIND) throw new ConfigError(source, 'kind', `expected ${KIND}, got ${JSON.stringify(doc.kind ?? '')}`);
  if (doc.apiVersion !== API_VERSION) throw new ConfigError(source, 'apiVersion', `expected ${API_VERSION}, got ${JSON.stringify(doc.apiVersion ?? '')}`);
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) throw new ConfigError(source, 'resources', 'must list at least one entry');

  const rules: EncryptionRule[] = [];
  const seen: Array<{ resource: string; rule: number }> = [];
  doc.resources.forEach((entry: unknown, i: number) => {
    const at = `resources[${i}]`;
    if (!isObject(entry)) throw new ConfigError(source, at, 'expected an object with resources and providers');
    for (const field of Object.keys(entry)) {
      if (field !== 'resources' && field !== 'providers') throw new ConfigError(source, at, `unknown field ${JSON.stringify(field)}`);
    }
    const resources = parseResources(source, at, entry.resources);
    for (const [j, resource] of resources.entries()) {
      for (const earlier of seen) {
        if (earlier.rule < i && covers(earlier.resource, resource)) {
          throw new ConfigError(source, `${at}.resources[${j}]`, `${JSON.stringify(resource)} is masked by ${JSON.stringify(earlier.resource)} in resources[${earlier.rule}], which comes first`);
        }
        if (earlier.rule === i && (covers(earlier.resource, resource) || covers(resource, earlier.resource))) {
          const problem = resource === earlier.resource ? 'is listed twice' : `overlaps ${JSON.stringify(earlier.resource)} in the same list`;
          throw new ConfigError(source, `${at}.resources[${j}]`, `${JSON.stringify(resource)} ${problem}`);
        }
      }
      seen.push({ resource, rule: i });
    }
    rules.push({ resources, transformer: providerTransformer(parseProviders(source, at, entry.providers)) });
  });
  return { source, rules };
}

function parseResources(source: string, at: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(source, `${at}.resources`, 'must list at least one resource');
  return value.map((r: unknown, j: number) => {
    if (typeof r !== 'string' || !(RESOURCE.test(r) || WILDCARD.test(r))) {
      throw new ConfigError(source, `${at}.resources[${j}]`, `${JSON.stringify(r)} is not a lowercase resource name (e.g. secrets, deployments.apps) or a wildcard (*. *.* *.apps)`);
    }
    return r;
  });
}

function parseProviders(source: string, at: string, value: unknown): Provider[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(source, `${at}.providers`, 'must list at least one provider');
  const keyNames = new Set<string>();
  return value.map((entry: unknown, k: number): Provider => {
    const pat = `${at}.providers[${k}]`;
    if (!isObject(entry)) throw new ConfigError(source, pat, 'expected an object naming one provider');
    const names = Object.keys(entry);
    if (names.length !== 1) {
      throw new ConfigError(source, pat, names.length ? `names ${names.length} providers (${names.join(', ')}); give each its own entry` : 'names no provider');
    }
    const [type] = names;
    const body = entry[type];
    if (UNSUPPORTED_PROVIDERS.has(type)) throw new ConfigError(source, pat, `provider ${type} is not supported (use aesgcm, aescbc or identity)`);
    if (type === 'identity') {
      if (body !== null && !(isObject(body) && Object.keys(body).length === 0)) throw new ConfigError(source, `${pat}.identity`, 'takes no fields');
      return { type };
    }
    if (type !== 'aesgcm' && type !== 'aescbc') throw new ConfigError(source, pat, `unknown provider ${JSON.stringify(type)}`);
    const pt = `${pat}.${type}`;
    if (!isObject(body)) throw new ConfigError(source, pt, 'expected an object with keys');
    for (const field of Object.keys(body)) {
      if (field !== 'keys') throw new ConfigError(source, pt, `unknown field ${JSON.stringify(field)}`);
    }
    if (!Array.isArray(body.keys) || body.keys.length === 0) throw new ConfigError(source, `${pt}.keys`, 'must list at least one key');
    const keys = body.keys.map((key: unknown, n: number) => {
      const kat = `${pt}.keys[${n}]`;
      if (!isObject(key)) throw new ConfigError(source, kat, 'expected an object with name and secret');
      for (const field of Object.keys(key)) {
        if (field !== 'name' && field !== 'secret') throw new ConfigError(source, kat, `unknown field ${JSON.stringify(field)}`);
      }
      const { name, secret } = key;
      if (typeof name !== 'string' || !name) throw new ConfigError(source, kat, 'name is required');
      // A colon would let one key's prefix swallow another's.
      if (name.includes(':')) throw new ConfigError(source, kat, `name ${JSON.stringify(name)} may not contain ':'`);
      const named = `${kat} (${JSON.stringify(name)})`;
      if (keyNames.has(`${type}:${name}`)) throw new ConfigError(source, named, `duplicate key name ${JSON.stringify(name)} for ${type}`);
      keyNames.add(`${type}:${name}`);
      if (typeof secret !== 'string' || !secret) throw new ConfigError(source, named, 'secret is required');
      const trimmed = secret.trim();
      if (!BASE64.test(trimmed)) throw new ConfigError(source, named, 'secret is not valid base64');
      const bytes = Buffer.from(trimmed, 'base64');
      if (!AES_KEY_BYTES.includes(bytes.length)) {
        throw new ConfigError(source, named, `secret must decode to 16, 24 or 32 bytes for ${type}, got ${bytes.length}`);
      }
      return { name, secret: bytes };
    });
    return { type, keys };
  });
}

/** Reads and parses `--encryption-provider-config`; every error is one line naming the file. */
export function loadEncryptionConfig(path: string): EncryptionConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '', `cannot read the encryption configuration: ${(err as Error).message}`);
  }
  return parseEncryptionConfig(text, path);
}

/**
 * The transformer for a resource: the first rule naming it (`secrets`,
 * `deployments.apps`) or a wildcard covering it (`*.`, `*.apps`, `*.*`);
 * identity when no rule does, or when there is no configuration.
 */
export function transformerFor(config: EncryptionConfig | undefined, group: string, plural: string): Transformer {
  const name = group ? `${plural}.${group}` : plural;
  const rule = config?.rules.find((r) => r.resources.some((pattern) => covers(pattern, name)));
  return rule?.transformer ?? identityTransformer;
}
