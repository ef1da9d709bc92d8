import { isNotFound } from '../../client/api-error.js';
import { clone } from '../../api/deep-equal.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject, OwnerReference } from '../../client/resource.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

/** The status cause the API server gives when a namespace being deleted refuses new objects. */
export function isNamespaceTerminating(err: unknown): boolean {
  const causes = (err as { details?: { causes?: Array<{ reason?: string }> } })?.details?.causes;
  return !!causes?.some((c) => c.reason === 'NamespaceTerminating');
}

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

/** kube's RealPodControl: pod writes that tell the owner's story in events. */
export class PodControl {
  constructor(private readonly client: RestClient, private readonly recorder: EventRecorder) {}

  async createPod(owner: AnyObject, template: AnyObject, ref: OwnerReference): Promise<void> {
    let created: AnyObject;
    try {
      created = await this.client.create(PODS, podFromTemplate(template, owner, ref));
    } catch (err) {
      // A namespace being deleted refuses every pod; saying so for each would only be noise.
      if (!isNamespaceTerminating(err)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  /** Deletes with the pod's own grace period; a pod already gone rethrows its NotFound without an event. */
  async deletePod(owner: AnyObject, pod: AnyObject): Promise<void> {
    const name = pod.metadata.name!;
    try {
      await this.client.delete(PODS, name, { namespace: pod.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) throw err;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw new Error(`unable to delete pods: ${(err as Error).message}`, { cause: err });
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}
