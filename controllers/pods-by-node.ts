import type { Informer } from '../client/informer.js';
import type { AnyObject } from '../client/resource.js';
import type { SharedInformers } from '../client/shared-informers.js';

/** kube's PodNodeNameKeyIndex: the pod index by node the node controllers share. */
export const POD_NODE_NAME_INDEX = 'spec.nodeName';

export const podNodeName = (pod: AnyObject): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

/** Adds the node index to the shared pod informer (once, whoever asks first). */
export function indexPodsByNodeName(informers: SharedInformers, pods: Informer): void {
  informers.index(pods, POD_NODE_NAME_INDEX, podNodeName);
}
