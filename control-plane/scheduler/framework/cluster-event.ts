import { deepEqual } from '../../../api/deep-equal.js';
import { nodeCondition } from '../../../api/node-status.js';
import type { AnyObject } from '../../../client/resource.js';
import type { PodInfo } from './pod-info.js';

/**
 * What changed. Updates of the pending pods themselves are not events here:
 * the queue gives a parked pod another chance whenever its spec changes.
 */
export type EventResource = 'Node' | 'AssignedPod' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass';

/** fwk.ActionType: bits, so a plugin registers for several kinds of change at once. */
export const Action = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdatePodLabel: 64,
  UpdatePodScaleDown: 128,
  UpdateOther: 256,
} as const;

/** Something that changed in the cluster and may make parked pods schedulable; `label` is kube's metric label. */
export interface ClusterEvent {
  resource: EventResource;
  action: number;
  label: string;
}

export const event = (resource: EventResource, action: number, label: string): ClusterEvent => ({ resource, action, label });

export const NODE_ADD = event('Node', Action.Add, 'NodeAdd');
export const NODE_DELETE = event('Node', Action.Delete, 'NodeDelete');
export const ASSIGNED_POD_ADD = event('AssignedPod', Action.Add, 'AssignedPodAdd');
export const ASSIGNED_POD_DELETE = event('AssignedPod', Action.Delete, 'AssignedPodDelete');
export const ASSIGNED_POD_LABEL = event('AssignedPod', Action.UpdatePodLabel, 'AssignedPodUpdate');
export const ASSIGNED_POD_SCALE_DOWN = event('AssignedPod', Action.UpdatePodScaleDown, 'AssignedPodUpdate');
export const PV_ADD = event('PersistentVolume', Action.Add, 'PvAdd');
export const PV_UPDATE = event('PersistentVolume', Action.UpdateOther, 'PvUpdate');
export const PVC_ADD = event('PersistentVolumeClaim', Action.Add, 'PvcAdd');
export const PVC_UPDATE = event('PersistentVolumeClaim', Action.UpdateOther, 'PvcUpdate');
export const STORAGE_CLASS_ADD = event('StorageClass', Action.Add, 'StorageClassAdd');
export const STORAGE_CLASS_UPDATE = event('StorageClass', Action.UpdateOther, 'StorageClassUpdate');

/** Conditions without their heartbeat times, which change every status report. */
const conditionsOf = (node: AnyObject) => (node.status?.conditions ?? []).map((c: AnyObject) => [c?.type, c?.status, c?.reason, c?.message]);
const readyOf = (node: AnyObject) => nodeCondition(node.status, 'Ready')?.status;

/**
 * nodeSchedulingPropertiesChange: the changes of a node that matter to
 * scheduling, one event each. A heartbeat alone changes nothing. A change of
 * readiness is also a taint change, because readiness implies a taint.
 */
export function nodeUpdateEvents(oldNode: AnyObject, newNode: AnyObject): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!deepEqual(oldNode.status?.allocatable, newNode.status?.allocatable)) events.push(event('Node', Action.UpdateNodeAllocatable, 'NodeAllocatableChange'));
  if (!deepEqual(oldNode.metadata?.labels, newNode.metadata?.labels)) events.push(event('Node', Action.UpdateNodeLabel, 'NodeLabelChange'));
  if (!deepEqual(oldNode.spec?.taints, newNode.spec?.taints) || readyOf(oldNode) !== readyOf(newNode)) events.push(event('Node', Action.UpdateNodeTaint, 'NodeTaintChange'));
  if ((oldNode.spec?.unschedulable === true) !== (newNode.spec?.unschedulable === true)) events.push(event('Node', Action.UpdateNodeTaint, 'NodeSpecUnschedulableChange'));
  if (!deepEqual(conditionsOf(oldNode), conditionsOf(newNode))) events.push(event('Node', Action.UpdateNodeCondition, 'NodeConditionChange'));
  return events;
}

/** What an update of an assigned pod may free or change for others: labels, or smaller requests. */
export function assignedPodUpdateEvents(oldPod: AnyObject, newPod: AnyObject): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!deepEqual(oldPod.metadata?.labels, newPod.metadata?.labels)) events.push(ASSIGNED_POD_LABEL);
  if (!deepEqual(oldPod.spec?.containers?.map((c: AnyObject) => c?.resources), newPod.spec?.containers?.map((c: AnyObject) => c?.resources))) events.push(ASSIGNED_POD_SCALE_DOWN);
  return events;
}

/** A plugin's interest in an event, with an optional queueing hint that looks closer at what changed. */
export interface EventRegistration {
  resource: EventResource;
  actions: number;
  /** Whether the change may make this parked pod schedulable; without a hint, any matching event may. */
  hint?(pod: PodInfo, oldObj: AnyObject | undefined, newObj: AnyObject | undefined): boolean;
}
