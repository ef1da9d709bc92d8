import type { Kind, KObject } from '../kind.js';
import { createdAtColumn, nameColumn } from '../printers.js';
import { arr, bool, map, named, obj, str, type Schema } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { labelSelectorSchema } from '../label-selector-schema.js';
import { invalid, required, type Cause } from '../validation/field-errors.js';
import { invalidGo } from './role.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

const authz = (name: string, schema: Schema): Schema => named(`io.k8s.api.authorization.v1.${name}`, schema);

const fieldSelectorRequirement = named('io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement', obj({
  key: str('The field the requirement is about.'),
  operator: str('How the field relates to the values: In, NotIn, Exists or DoesNotExist.'),
  values: arr(str(), { listType: 'atomic', description: 'Values for In and NotIn; empty for Exists and DoesNotExist.' }),
}, { required: ['key', 'operator'], description: 'One condition on a field: a key, an operator and maybe values.' }));

/** The requirement declared with metav1.LabelSelector, so the definition is published once. */
const labelSelectorRequirement = labelSelectorSchema.properties!.matchExpressions.items!;

export const resourceAttributesSchema = authz('ResourceAttributes', obj({
  namespace: str('Namespace of the request; "" means all namespaces for namespaced resources (and is the only value for cluster-scoped ones).'),
  verb: str('The API verb: get, list, watch, create, update, patch, delete, deletecollection, or a special one such as bind, escalate or impersonate; "*" for all.'),
  group: str('API group of the resource; "*" for all.'),
  version: str('API version of the resource; "*" for all.'),
  resource: str('The resource, e.g. pods; "*" for all.'),
  subresource: str('The subresource, e.g. log or status; "" for none.'),
  name: str('Name of the object asked about; "" for any (as list, watch and create ask).'),
  fieldSelector: authz('FieldSelectorAttributes', obj({
    rawSelector: str('The field selector as a query parameter would carry it; not together with requirements.'),
    requirements: arr(fieldSelectorRequirement, { listType: 'atomic', description: 'The field selector, parsed.' }),
  }, { description: 'The field selector of a list or watch being asked about.' })),
  labelSelector: authz('LabelSelectorAttributes', obj({
    rawSelector: str('The label selector as a query parameter would carry it; not together with requirements.'),
    requirements: arr(labelSelectorRequirement, { listType: 'atomic', description: 'The label selector, parsed.' }),
  }, { description: 'The label selector of a list or watch being asked about.' })),
}, { description: 'A request on a resource, as an authorizer sees it.' }));

export const nonResourceAttributesSchema = authz('NonResourceAttributes', obj({
  path: str('URL path of the request, e.g. /healthz.'),
  verb: str('The HTTP method, lowercase (get, post, ...).'),
}, { description: 'A request on a path that is not a resource, as an authorizer sees it.' }));

export const accessReviewStatusSchema = authz('SubjectAccessReviewStatus', obj({
  allowed: bool('Whether the action is allowed.'),
  denied: bool('Whether an authorizer denied the action outright; false with allowed false means none had an opinion.'),
  reason: str('Why the action is allowed or denied, when an authorizer says.'),
  evaluationError: str('What went wrong while evaluating, if anything; an error does not mean the answer is wrong.'),
}, { required: ['allowed'], description: 'The answer to an access review.' }));

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(isEmpty));

const goNonResource = (a: KObject | undefined): string =>
  a && typeof a === 'object'
    ? `&authorization.NonResourceAttributes{Path:${JSON.stringify(a.path ?? '')}, Verb:${JSON.stringify(a.verb ?? '')}}`
    : '(*authorization.NonResourceAttributes)(nil)';

function validateSelectorAttributes(selector: KObject | undefined, path: string): Cause[] {
  if (!selector || typeof selector !== 'object') return [];
  const raw: string = selector.rawSelector ?? '';
  const requirements: KObject[] = selector.requirements ?? [];
  const causes: Cause[] = [];
  if (raw && requirements.length) causes.push(invalid(`${path}.rawSelector`, raw, 'may not specified at the same time as requirements'));
  if (!raw && !requirements.length) causes.push(required(`${path}.requirements`, `when ${path} is specified, requirements or rawSelector is required`));
  requirements.forEach((r, i) => {
    if (!r?.key) causes.push(required(`${path}.requirements[${i}].key`, 'must be specified'));
  });
  return causes;
}

/**
 * kube's checks of an access review: exactly one kind of attributes, and an
 * empty metadata (reviews are answered, never stored under a name).
 */
export function validateAccessReview(review: KObject, needsSubject: boolean): Cause[] {
  const spec: KObject = review.spec ?? {};
  const causes: Cause[] = [];
  const hasResource = !!spec.resourceAttributes && typeof spec.resourceAttributes === 'object';
  const hasNonResource = !!spec.nonResourceAttributes && typeof spec.nonResourceAttributes === 'object';
  if (hasResource && hasNonResource) {
    causes.push(invalidGo('spec.nonResourceAttributes', goNonResource(spec.nonResourceAttributes), 'cannot be specified in combination with resourceAttributes'));
  }
  if (!hasResource && !hasNonResource) {
    causes.push(invalidGo('spec.resourceAttributes', goNonResource(undefined), 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (needsSubject && !spec.user && !(spec.groups ?? []).length) {
    causes.push(invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  }
  if (hasResource) {
    causes.push(...validateSelectorAttributes(spec.resourceAttributes.fieldSelector, 'spec.resourceAttributes.fieldSelector'));
    causes.push(...validateSelectorAttributes(spec.resourceAttributes.labelSelector, 'spec.resourceAttributes.labelSelector'));
  }
  causes.push(...validateEmptyMetadata(review));
  return causes;
}

/**
 * What every review kind shares: never stored, only created, metadata left
 * empty, and any status the client sends dropped (the server fills it in).
 */
export const reviewLifecycle = {
  virtual: true,
  verbs: ['create'],
  prepareForCreate(r: KObject) {
    delete r.status;
  },
  columns: [nameColumn, createdAtColumn],
} satisfies Partial<Kind>;

/** A review without a spec to check: only its metadata must be empty. */
export function validateEmptyMetadata(review: KObject): Cause[] {
  const { managedFields: _managed, ...meta } = (review.metadata ?? {}) as KObject;
  return isEmpty(meta) ? [] : [invalidGo('metadata', JSON.stringify(meta), 'must be empty')];
}

export const subjectAccessReview: Kind = {
  group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', singular: 'subjectaccessreview',
  namespaced: false,
  schema: authz('SubjectAccessReview', obj({
    ...typeMeta,
    spec: authz('SubjectAccessReviewSpec', obj({
      resourceAttributes: resourceAttributesSchema,
      nonResourceAttributes: nonResourceAttributesSchema,
      user: str('The user asked about; user or groups (or both) must be given.'),
      groups: arr(str(), { listType: 'atomic', description: 'The groups of the user asked about.' }),
      extra: map(arr(str()), 'Extra attributes of the user asked about, as an authenticator would report them.'),
      uid: str('UID of the user asked about.'),
    }, { description: 'Who is asked about and for what request; exactly one of resourceAttributes and nonResourceAttributes.' })),
    status: accessReviewStatusSchema,
  }, { required: ['spec'], description: 'Asks whether a given user may perform an action. Answered on create and never stored.', gvk: { group: AUTHORIZATION_GROUP, version: 'v1', kind: 'SubjectAccessReview' } })),
  ...reviewLifecycle,
  validate: (r) => validateAccessReview(r, true),
};
