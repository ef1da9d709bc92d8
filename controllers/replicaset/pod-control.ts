import type { OwnerReference } from '../../api/owner-references.js';
import { isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { podFromTemplate } from './pod-template.js';

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
