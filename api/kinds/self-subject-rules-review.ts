import type { Kind } from '../kind.js';
import { arr, bool, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { AUTHORIZATION_GROUP, reviewLifecycle, validateEmptyMetadata } from './subject-access-review.js';

const strings = (description: string) => arr(str(), { description });

export const selfSubjectRulesReview: Kind = {
  group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview',
  namespaced: false,
  schema: named('io.k8s.api.authorization.v1.SelfSubjectRulesReview', obj({
    ...typeMeta,
    spec: named('io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec', obj({
      namespace: str('The namespace to list the rules for.'),
    }, { description: 'Where to list the requesting user\'s rules.' })),
    status: named('io.k8s.api.authorization.v1.SubjectRulesReviewStatus', obj({
      resourceRules: arr(named('io.k8s.api.authorization.v1.ResourceRule', obj({
        verbs: strings('Verbs allowed.'), apiGroups: strings('API groups.'), resources: strings('Resources.'), resourceNames: strings('Names, when restricted.'),
      }, { required: ['verbs'] })), { description: 'What the user may do to resources in the namespace.' }),
      nonResourceRules: arr(named('io.k8s.api.authorization.v1.NonResourceRule', obj({
        verbs: strings('Verbs allowed.'), nonResourceURLs: strings('Paths, a trailing * matching any suffix.'),
      }, { required: ['verbs'] })), { description: 'What the user may do to other paths.' }),
      incomplete: bool('True when some rules could not be resolved (a binding to a missing role).'),
      evaluationError: str('Why the rules may be incomplete.'),
    }, { required: ['resourceRules', 'nonResourceRules', 'incomplete'] })),
  }, { required: ['spec'], description: 'Lists what the requesting user may do in a namespace (what `kubectl auth can-i --list` sends). Answered on create and never stored.', gvk: { group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SelfSubjectRulesReview' } })),
  ...reviewLifecycle,
  validate: validateEmptyMetadata,
};
