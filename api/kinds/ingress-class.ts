import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { named, obj, str } from '../schema.js';
import { forbidden, immutable, invalid, notSupported, required, tooLong, type Cause } from '../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain } from '../validation/names.js';
import { isObject } from '../validation/pod-spec.js';
import { validateTypedReference } from './ingress.js';

/** Marks the class that new Ingresses naming none get (see admission/default-ingress-class.ts). */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export const isDefaultIngressClass = (c: KObject): boolean => c.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true';

const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ['Cluster', 'Namespace'];
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** validation.IsDomainPrefixedPath: "example.com/name", the domain a DNS subdomain. */
function validateController(controller: unknown): Cause[] {
  const field = 'spec.controller';
  if (typeof controller !== 'string' || !controller) return [required(field)];
  const causes: Cause[] = controller.length > MAX_CONTROLLER_LENGTH ? [tooLong(field, MAX_CONTROLLER_LENGTH)] : [];
  const slash = controller.indexOf('/');
  const [host, path] = slash < 0 ? [controller, ''] : [controller.slice(0, slash), controller.slice(slash + 1)];
  if (!host || !path) return [...causes, invalid(field, controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  causes.push(...dns1123Subdomain(field, host));
  if (!HTTP_PATH.test(path)) causes.push(invalid(field, path, `Invalid path (regex used for validation is '${HTTP_PATH.source.slice(1, -1)}')`));
  return causes;
}

function validateParameters(params: KObject): Cause[] {
  const field = 'spec.parameters';
  const causes = validateTypedReference(params, field);
  const { scope, namespace } = params;
  if (scope === 'Namespace' && !namespace) causes.push(required(`${field}.namespace`, '`parameters.scope` is set to \'Namespace\''));
  if (scope === 'Cluster' && namespace) causes.push(forbidden(`${field}.namespace`, '`parameters.scope` is set to \'Cluster\''));
  if (typeof namespace === 'string' && namespace) causes.push(...dns1123Label(`${field}.namespace`, namespace));
  if (!SCOPES.includes(scope)) causes.push(notSupported(`${field}.scope`, scope, SCOPES));
  return causes;
}

/**
 * The networking.k8s.io/v1 IngressClass: which controller implements the
 * Ingresses of a class. Cluster-scoped; no controller here acts on it.
 */
export const ingressClass: Kind = {
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass',
  namespaced: false,
  schema: named('io.k8s.api.networking.v1.IngressClass', obj({
    ...typeMeta,
    spec: named('io.k8s.api.networking.v1.IngressClassSpec', obj({
      controller: str('Name of the controller that implements the class, a domain-prefixed path such as "example.com/ingress-controller"; immutable.'),
      parameters: named('io.k8s.api.networking.v1.IngressClassParametersReference', obj({
        apiGroup: str('Group of the referenced resource; the core group when empty.'),
        kind: str('Kind of the referenced resource.'),
        name: str('Name of the referenced resource.'),
        scope: str('Cluster or Namespace; Cluster by default.'),
        namespace: str('Namespace of the referenced resource when scope is Namespace.'),
      }, { required: ['kind', 'name'], description: 'A resource holding the controller\'s configuration for the class.' })),
    }, { description: 'The desired state of an IngressClass.' })),
  }, { description: 'A class of Ingresses and the controller that implements them.', gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' } })),

  defaults(c) {
    if (isObject(c.spec?.parameters)) c.spec.parameters.scope ??= 'Cluster';
  },

  validate(c, old) {
    const spec: KObject = isObject(c.spec) ? c.spec : {};
    const causes: Cause[] = [];
    if (old && spec.controller !== old.spec?.controller) causes.push(immutable('spec.controller', spec.controller ?? ''));
    causes.push(...validateController(spec.controller));
    if (isObject(spec.parameters)) causes.push(...validateParameters(spec.parameters));
    return causes;
  },

  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', priority: 0, description: 'The controller that implements the class.', cell: (o) => o.spec?.controller ?? '' },
    {
      name: 'Parameters', type: 'string', priority: 0, description: 'The resource configuring the class, as Kind.group/name.',
      cell: (o) => {
        const p = o.spec?.parameters;
        if (!isObject(p)) return '<none>';
        return `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}`;
      },
    },
    ageColumn,
  ],
};
