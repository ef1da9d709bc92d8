import type { Kind } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { int32, named, obj, str } from '../schema.js';

/** autoscaling/v1 Scale: served as deployments/scale and replicasets/scale, never stored. */
export const scaleKind: Kind = {
  group: 'autoscaling', version: 'v1', kind: 'Scale', plural: 'scales', singular: 'scale', namespaced: true,
  schema: named('io.k8s.api.autoscaling.v1.Scale', obj({
    ...typeMeta,
    spec: named('io.k8s.api.autoscaling.v1.ScaleSpec', obj({ replicas: int32('The desired number of instances for the scaled object.') })),
    status: named('io.k8s.api.autoscaling.v1.ScaleStatus', obj({
      replicas: int32('The actual number of observed instances of the scaled object.'),
      selector: str('The label query over pods that should match the replicas count, in label-selector string form.'),
    }, { required: ['replicas'] })),
  }, { description: 'Scale represents a scaling request for a resource.', gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } })),
  columns: [],
};
