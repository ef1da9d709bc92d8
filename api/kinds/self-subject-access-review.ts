import type { Kind } from '../kind.js';
import { named, obj } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import {
  accessReviewStatusSchema, AUTHORIZATION_GROUP, nonResourceAttributesSchema, resourceAttributesSchema, reviewLifecycle, validateAccessReview,
} from './subject-access-review.js';

export const selfSubjectAccessReview: Kind = {
  group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview',
  namespaced: false,
  schema: named('io.k8s.api.authorization.v1.SelfSubjectAccessReview', obj({
    ...typeMeta,
    spec: named('io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec', obj({
      resourceAttributes: resourceAttributesSchema,
      nonResourceAttributes: nonResourceAttributesSchema,
    }, { description: 'The request asked about; exactly one of resourceAttributes and nonResourceAttributes.' })),
    status: accessReviewStatusSchema,
  }, { required: ['spec'], description: 'Asks whether the requesting user may perform an action (what `kubectl auth can-i` sends). Answered on create and never stored.', gvk: { group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SelfSubjectAccessReview' } })),
  ...reviewLifecycle,
  validate: (r) => validateAccessReview(r, false),
};
