import type { Kind, KObject } from '../../api/kind.js';
import { parseFieldSelector, requireSupportedFields } from '../../api/selectors/field-selector.js';
import { parseLabelSelector } from '../../api/selectors/label-selector.js';

/** Reads one field-selector field of an object of `kind`. */
export function fieldGetter(kind: Kind, obj: KObject): (name: string) => string | undefined {
  return (name) => {
    if (name === 'metadata.name') return obj.metadata?.name;
    if (name === 'metadata.namespace') return kind.namespaced ? obj.metadata?.namespace : '';
    const get = kind.fields?.[name];
    const v = get?.(obj);
    return v === undefined ? '' : String(v);
  };
}

/**
 * The predicate for `labelSelector` and `fieldSelector` on a list or watch;
 * undefined when the request selects everything.
 */
export function objectFilter(kind: Kind, query: URLSearchParams): ((obj: KObject) => boolean) | undefined {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  if (!labelText.trim() && !fieldText.trim()) return undefined;
  const labels = labelText.trim() ? parseLabelSelector(labelText) : undefined;
  const fields = fieldText.trim() ? parseFieldSelector(fieldText) : undefined;
  if (fields) requireSupportedFields(fields, new Set(['metadata.name', 'metadata.namespace', ...Object.keys(kind.fields ?? {})]));
  return (obj) => (!labels || labels.matches(obj.metadata?.labels ?? {})) && (!fields || fields.matches(fieldGetter(kind, obj)));
}
