import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { bool, map, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { forbidden, immutable, invalid, required, tooLong, type Cause } from '../validation/field-errors.js';
import { validateDataKeys } from './config-map.js';

/** Secrets (all data together, decoded) may hold at most 1 MiB. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const REDACTED = '<secret contents redacted>';

/** Well-known secret types and the data keys they need. */
export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/**
 * Why `value` is not standard, padded base64, worded like Go's decoder
 * ("illegal base64 data at input byte N"), or undefined when it decodes.
 * Line breaks are skipped, as Go does.
 */
export function base64Problem(value: string): string | undefined {
  const isChar = (c: string): boolean => /[A-Za-z0-9+/]/.test(c);
  const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';
  const bad = (at: number): string => `illegal base64 data at input byte ${at}`;
  let si = 0;
  const n = value.length;
  for (;;) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === n) {
        if (j === 0) return undefined;
        return bad(si - j);
      }
      const c = value[si++];
      if (isChar(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== '=') return bad(si - 1);
      // Padding: only after two or three data characters.
      if (j === 0 || j === 1) return bad(si - 1);
      if (j === 2) {
        while (si < n && isNewline(value[si])) si++;
        if (si === n) return bad(n);
        if (value[si] !== '=') return bad(si - 1);
        si++;
      }
      while (si < n && isNewline(value[si])) si++;
      return si < n ? bad(si) : undefined;
    }
  }
}

/** Merges write-only stringData into data (base64-encoding it, stringData winning) and removes it. */
export function foldStringData(secret: KObject): void {
  const stringData = secret.stringData;
  if (stringData && typeof stringData === 'object') {
    const entries = Object.entries(stringData as Record<string, unknown>);
    if (entries.length) {
      secret.data ??= {};
      for (const [k, v] of entries) secret.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

/** Go's json.Unmarshal complaint about `text` as a JSON object, if any. */
function jsonObjectProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    if (!trimmed) return 'unexpected end of JSON input';
    if (!/^[[{"\-0-9tfn]/.test(trimmed)) return `invalid character '${trimmed[0]}' looking for beginning of value`;
    return 'unexpected end of JSON input';
  }
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

const decoded = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : '', 'base64');

function validateSecret(secret: KObject, old?: KObject): Cause[] {
  const data: Record<string, string> = secret.data ?? {};
  const causes: Cause[] = [];
  if (old) {
    if ((secret.type ?? '') !== (old.type ?? '')) causes.push(immutable('type', secret.type ?? ''));
    if (old.immutable === true) {
      if (secret.immutable !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!deepEqual(secret.data ?? {}, old.data ?? {})) causes.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  // Key rules are ConfigMap's; sizes count decoded bytes, so pass no values here.
  causes.push(...validateDataKeys('data', Object.fromEntries(Object.keys(data).map((k) => [k, '']))));
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    const problem = typeof v === 'string' ? base64Problem(v) : 'illegal base64 data at input byte 0';
    if (problem) causes.push(invalid(`data[${k}]`, REDACTED, problem));
    else size += decoded(v).length;
  }
  if (size > MAX_SECRET_SIZE) causes.push(tooLong('data', MAX_SECRET_SIZE));

  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (secret.type) {
    case SECRET_TYPES.serviceAccountToken:
      if (!secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) {
        causes.push(required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`));
      }
      break;
    case SECRET_TYPES.dockercfg:
    case SECRET_TYPES.dockerConfigJson: {
      const key = secret.type === SECRET_TYPES.dockercfg ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        causes.push(required(`data[${key}]`));
        break;
      }
      if (!base64Problem(data[key])) {
        const problem = jsonObjectProblem(decoded(data[key]).toString('utf8'));
        if (problem) causes.push(invalid(`data[${key}]`, REDACTED, problem));
      }
      break;
    }
    case SECRET_TYPES.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!has('username') && !has('password')) causes.push(required('data[username]'), required('data[password]'));
      break;
    case SECRET_TYPES.sshAuth:
      if (!decoded(data['ssh-privatekey']).length) causes.push(required('data[ssh-privatekey]'));
      break;
    case SECRET_TYPES.tls:
      if (!has('tls.crt')) causes.push(required('data[tls.crt]'));
      if (!has('tls.key')) causes.push(required('data[tls.key]'));
      break;
  }

  return causes;
}

export const secret: Kind = {
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret',
  namespaced: true,
  schema: named('io.k8s.api.core.v1.Secret', obj({
    ...typeMeta,
    data: map(str('', { format: 'byte' }), 'The secret values, base64-encoded, by key. Keys consist of alphanumerics, "-", "_" and ".".'),
    stringData: map(str(), 'Write-only convenience: plain-text values merged into data (replacing keys already there) when the secret is written; never returned.'),
    type: str('What the secret is for, which may require some keys in data (e.g. kubernetes.io/tls needs tls.crt and tls.key). Opaque by default; immutable.'),
    immutable: bool('When true, data can no longer be changed; only metadata can. Cannot be undone.'),
  }, { description: 'Sensitive data (passwords, tokens, keys) stored by key, base64-encoded.', gvk: { group: '', version: 'v1', kind: 'Secret' } })),
  defaults(s) {
    foldStringData(s);
    if (!s.type) s.type = SECRET_TYPES.opaque;
  },
  validate: validateSecret,
  columns: [
    nameColumn,
    { name: 'Type', type: 'string', priority: 0, description: 'The type of the secret.', cell: (o) => o.type ?? '' },
    { name: 'Data', type: 'string', priority: 0, description: 'Number of keys in the secret.', cell: (o) => Object.keys(o.data ?? {}).length },
    ageColumn,
  ],
  fields: { type: (o) => o.type ?? '' },
};
