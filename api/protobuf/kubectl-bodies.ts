// Request bodies captured from kubectl v1.32.4 `create` subcommands (which
// send application/vnd.kubernetes.protobuf), each with the JSON that the same
// kubectl writes for the same object with `--dry-run=client -o json`: Go's
// encoding/json of the Go struct, which is what kube-apiserver's JSON holds
// once it has decoded the body (before defaults and server-set fields).

export interface KubectlBody {
  /** The kubectl arguments. */
  command: string;
  /** The request body, base64. */
  protobuf: string;
  /** kubectl's JSON encoding of the object it sent. */
  json: Record<string, unknown>;
}

export const kubectlBodies: KubectlBody[] = [
  {
    command: 'create deployment web --image=nginx:1.25 --port=80',
    protobuf: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAESDAoKCgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjUqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
    json: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] } }, strategy: {} }, status: {} },
  },
  {
    command: 'create service clusterip web --tcp=80:8080',
    protobuf: 'azhzAAoNCgJ2MRIHU2VydmljZRJpCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkIKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3dlYhoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
    json: { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } }, spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' }, status: { loadBalancer: {} } },
  },
  {
    command: 'create service nodeport np --tcp=80:8080 --node-port=30080',
    protobuf: 'azhzAAoNCgJ2MRIHU2VydmljZRJnCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJCCh0KBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=',
    json: { kind: 'Service', apiVersion: 'v1', metadata: { name: 'np', creationTimestamp: null, labels: { app: 'np' } }, spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np' }, type: 'NodePort' }, status: { loadBalancer: {} } },
  },
  {
    command: 'create configmap cm --from-literal=a=b --from-literal=empty=',
    protobuf: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEicKEgoCY20SABoAIgAqADIAOABCABIGCgFhEgFiEgkKBWVtcHR5EgAaACIA',
    json: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null }, data: { a: 'b', empty: '' } },
  },
  {
    command: 'create secret generic s --from-literal=k=v',
    protobuf: 'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=',
    json: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { k: 'dg==' } },
  },
  {
    command: 'create serviceaccount sa',
    protobuf: 'azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFAoSCgJzYRIAGgAiACoAMgA4AEIAGgAiAA==',
    json: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa', creationTimestamp: null } },
  },
  {
    command: 'create role r --verb=get --resource=pods',
    protobuf: 'azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEiIKEQoBchIAGgAiACoAMgA4AEIAEg0KA2dldBIAGgRwb2RzGgAiAA==',
    json: { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r', creationTimestamp: null }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] },
  },
  {
    command: 'create rolebinding rb --role=r --serviceaccount=default:sa',
    protobuf: 'azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxJbChIKAnJiEgAaACIAKgAyADgAQgASHwoOU2VydmljZUFjY291bnQSABoCc2EiB2RlZmF1bHQaJAoZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxIEUm9sZRoBchoAIgA=',
    json: { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'rb', creationTimestamp: null }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'default' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
  },
  {
    command: 'create deployment zero --image=nginx:1.25 --replicas=0',
    protobuf: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErUBCiEKBHplcm8SABoAIgAqADIAOABCAFoLCgNhcHASBHplcm8SgQEIABINCgsKA2FwcBIEemVybxpmCh0KABIAGgAiACoAMgA4AEIAWgsKA2FwcBIEemVybxJFEicKBW5naW54EgpuZ2lueDoxLjI1KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
    json: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'zero', creationTimestamp: null, labels: { app: 'zero' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'zero' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'zero' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } }, strategy: {} }, status: {} },
  },
];
