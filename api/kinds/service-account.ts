import type { Kind } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, bool, keyedList, named, obj } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { objectReference } from '../object-reference.js';
import { localObjectReferenceSchema } from './pod.js';

export const serviceAccount: Kind = {
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount',
  shortNames: ['sa'], namespaced: true,
  subresources: { token: true },
  schema: named('io.k8s.api.core.v1.ServiceAccount', obj({
    ...typeMeta,
    secrets: keyedList(objectReference, 'name', 'Secrets in the same namespace that pods running as this account may use (only enforced with the deprecated kubernetes.io/enforce-mountable-secrets annotation). Not where to find tokens: request those through the TokenRequest API.'),
    imagePullSecrets: arr(localObjectReferenceSchema, { listType: 'atomic', description: 'Secrets in the same namespace the kubelet uses to pull the images of pods running as this account.' }),
    automountServiceAccountToken: bool('Whether pods running as this account get an API token mounted; a pod may override it.'),
  }, { description: 'An identity for processes that run in pods, as system:serviceaccount:<namespace>:<name>.', gvk: { group: '', version: 'v1', kind: 'ServiceAccount' } })),
  columns: [
    nameColumn,
    { name: 'Secrets', type: 'string', priority: 0, description: 'Number of secrets the account lists.', cell: (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0) },
    ageColumn,
  ],
};
