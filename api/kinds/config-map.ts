import type { Kind } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { bool, map, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { invalid, tooLong, type Cause } from '../validation/field-errors.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_SIZE = 1024 * 1024;

/** ConfigMap and Secret keys: file-name-like, and together under 1 MiB. */
export function validateDataKeys(field: string, ...maps: Array<Record<string, string> | undefined>): Cause[] {
  const causes: Cause[] = [];
  let size = 0;
  const seen = new Set<string>();
  for (const m of maps) {
    for (const [k, v] of Object.entries(m ?? {})) {
      if (!CONFIG_KEY.test(k) || k === '.' || k === '..' || k.length > 253) {
        causes.push(invalid(`${field}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      }
      if (seen.has(k)) causes.push(invalid(`${field}[${k}]`, k, 'duplicate of key present in binaryData'));
      seen.add(k);
      size += typeof v === 'string' ? v.length : 0;
    }
  }
  if (size > MAX_SIZE) causes.push(tooLong(field, MAX_SIZE));
  return causes;
}

export const configMap: Kind = {
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap',
  shortNames: ['cm'], namespaced: true,
  schema: named('io.k8s.api.core.v1.ConfigMap', obj({
    ...typeMeta,
    data: map(str(), 'Data contains the configuration data.'),
    binaryData: map(str('', { format: 'byte' }), 'BinaryData contains the binary data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  }, { description: 'ConfigMap holds configuration data for pods to consume.', gvk: { group: '', version: 'v1', kind: 'ConfigMap' } })),
  validate(cm, old) {
    const causes = validateDataKeys('data', cm.data, cm.binaryData);
    if (old?.immutable === true) {
      if (JSON.stringify(old.data ?? {}) !== JSON.stringify(cm.data ?? {}) || JSON.stringify(old.binaryData ?? {}) !== JSON.stringify(cm.binaryData ?? {})) {
        causes.push({ reason: 'FieldValueForbidden', field: 'data', message: 'data: Forbidden: field is immutable when `immutable` is set' });
      }
      if (cm.immutable !== true) causes.push({ reason: 'FieldValueForbidden', field: 'immutable', message: 'immutable: Forbidden: field is immutable when `immutable` is set' });
    }
    return causes;
  },
  columns: [
    nameColumn,
    { name: 'Data', type: 'integer', priority: 0, description: 'Number of data entries', cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length },
    ageColumn,
  ],
};
