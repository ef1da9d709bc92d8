import { clone } from '../../api/deep-equal.js';
import type { OwnerReference } from '../../api/owner-references.js';
import type { AnyObject } from '../../client/resource.js';

// Names are DNS subdomains of at most 253 characters; the server appends the random suffix.
const maxNameLength = 253;

/**
 * A pod as kube's GetPodFromTemplate makes it: the template's labels,
 * annotations, finalizers and spec, named "<owner>-" plus a random suffix,
 * controlled by the owner.
 */
export function podFromTemplate(template: AnyObject, owner: AnyObject, ref: OwnerReference): AnyObject {
  const name = owner.metadata.name!;
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: name.length + 1 <= maxNameLength ? `${name}-` : name,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: clone(template.spec ?? {}),
  };
}
