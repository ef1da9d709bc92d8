// Protobuf field-number tables for k8s.io/api networking/v1: Ingress and IngressClass (17 messages).
// Facts transcribed from k8s.io/api networking/v1/generated.proto (commit 426b1b9979354bee48c10e727c46eb9b5a7bbc95), the
// pointer and always marks from the Go types' json tags; see field-table.ts for what they mean.
import type { MessageTable } from './field-table.js';

export const networkingMessages: Record<string, MessageTable> = {
  'networking.HTTPIngressPath': {
    1: { name: 'path', type: 'string' },
    2: { name: 'backend', type: { message: 'networking.IngressBackend' } },
    3: { name: 'pathType', type: 'string', pointer: true },
  },
  'networking.HTTPIngressRuleValue': {
    1: { name: 'paths', type: { message: 'networking.HTTPIngressPath' }, repeated: true },
  },
  'networking.Ingress': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'networking.IngressSpec' } },
    3: { name: 'status', type: { message: 'networking.IngressStatus' } },
  },
  'networking.IngressBackend': {
    3: { name: 'resource', type: { message: 'core.TypedLocalObjectReference' } },
    4: { name: 'service', type: { message: 'networking.IngressServiceBackend' } },
  },
  'networking.IngressClass': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'networking.IngressClassSpec' } },
  },
  'networking.IngressClassList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'networking.IngressClass' }, repeated: true },
  },
  'networking.IngressClassParametersReference': {
    1: { name: 'apiGroup', type: 'string', pointer: true },
    2: { name: 'kind', type: 'string', always: true },
    3: { name: 'name', type: 'string', always: true },
    4: { name: 'scope', type: 'string', pointer: true },
    5: { name: 'namespace', type: 'string', pointer: true },
  },
  'networking.IngressClassSpec': {
    1: { name: 'controller', type: 'string' },
    2: { name: 'parameters', type: { message: 'networking.IngressClassParametersReference' } },
  },
  'networking.IngressList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'networking.Ingress' }, repeated: true },
  },
  'networking.IngressLoadBalancerIngress': {
    1: { name: 'ip', type: 'string' },
    2: { name: 'hostname', type: 'string' },
    4: { name: 'ports', type: { message: 'networking.IngressPortStatus' }, repeated: true },
  },
  'networking.IngressLoadBalancerStatus': {
    1: { name: 'ingress', type: { message: 'networking.IngressLoadBalancerIngress' }, repeated: true },
  },
  'networking.IngressPortStatus': {
    1: { name: 'port', type: 'int32', always: true },
    2: { name: 'protocol', type: 'string', always: true },
    3: { name: 'error', type: 'string', pointer: true },
  },
  'networking.IngressRule': {
    1: { name: 'host', type: 'string' },
    2: { name: 'ingressRuleValue', type: { message: 'networking.IngressRuleValue' }, inline: true },
  },
  'networking.IngressRuleValue': {
    1: { name: 'http', type: { message: 'networking.HTTPIngressRuleValue' } },
  },
  'networking.IngressServiceBackend': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'port', type: { message: 'networking.ServiceBackendPort' } },
  },
  'networking.IngressSpec': {
    1: { name: 'defaultBackend', type: { message: 'networking.IngressBackend' } },
    2: { name: 'tls', type: { message: 'networking.IngressTLS' }, repeated: true },
    3: { name: 'rules', type: { message: 'networking.IngressRule' }, repeated: true },
    4: { name: 'ingressClassName', type: 'string', pointer: true },
  },
  'networking.IngressStatus': {
    1: { name: 'loadBalancer', type: { message: 'networking.IngressLoadBalancerStatus' } },
  },
  'networking.IngressTLS': {
    1: { name: 'hosts', type: 'string', repeated: true },
    2: { name: 'secretName', type: 'string' },
  },
  'networking.ServiceBackendPort': {
    1: { name: 'name', type: 'string' },
    2: { name: 'number', type: 'int32' },
  },
};
