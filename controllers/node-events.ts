import type { EventRecorder } from '../client/event-recorder.js';
import type { AnyObject } from '../client/resource.js';

/**
 * The events node controllers record about a Node (kube's RecordNodeEvent
 * and RecordNodeStatusChange), pointing at the Node by name and uid only.
 */
const nodeRef = (node: AnyObject): AnyObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } });

export function recordNodeEvent(recorder: EventRecorder, node: AnyObject, reason: string, message: string): void {
  recorder.event(nodeRef(node), 'Normal', reason, `Node ${node.metadata.name} event: ${message}`);
}

export function recordNodeStatusChange(recorder: EventRecorder, node: AnyObject, status: string): void {
  recorder.event(nodeRef(node), 'Normal', status, `Node ${node.metadata.name} status is now: ${status}`);
}
