import type { Kind } from '../kind.js';
import { arr, map, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { reviewLifecycle, validateEmptyMetadata } from './subject-access-review.js';

const GROUP = 'authentication.k8s.io';

/** authentication.k8s.io/v1 SelfSubjectReview: who the server takes the caller to be (`kubectl auth whoami`). */
export const selfSubjectReview: Kind = {
  group: GROUP, version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', singular: 'selfsubjectreview',
  namespaced: false,
  schema: named('io.k8s.api.authentication.v1.SelfSubjectReview', obj({
    ...typeMeta,
    status: named('io.k8s.api.authentication.v1.SelfSubjectReviewStatus', obj({
      userInfo: named('io.k8s.api.authentication.v1.UserInfo', obj({
        username: str('The name the user is known by.'),
        uid: str('A unique value for the user.'),
        groups: arr(str(), { description: 'The groups the user is in.' }),
        extra: map(arr(str()), 'Anything else the authenticator said about the user.'),
      })),
    }, { description: 'The user the request was authenticated as.' })),
  }, { description: 'Asks who the requesting user is. Answered on create and never stored.', gvk: { group: GROUP, version: 'v1', kind: 'SelfSubjectReview' } })),
  ...reviewLifecycle,
  validate: validateEmptyMetadata,
};
