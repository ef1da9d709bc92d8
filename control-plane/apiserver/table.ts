import type { Kind, KObject } from '../../api/kind.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KObject, include: IncludeObject) {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function columnDefinitions(kind: Kind) {
  return kind.columns.map(({ name, type, format, description, priority }) => ({ name, type: type === 'date' ? 'string' : type, format: format ?? '', description, priority }));
}

/** A meta.k8s.io/v1 Table: what `kubectl get` prints, computed on the server from the kind's columns. */
export function toTable(kind: Kind, items: KObject[], listMeta: Record<string, unknown>, include: IncludeObject, withColumns = true) {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(kind) : [],
    rows: items.map((obj) => ({ cells: kind.columns.map((c) => c.cell(obj)), object: rowObject(obj, include) })),
  };
}
