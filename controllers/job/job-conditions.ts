import { now } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';

export interface JobCondition {
  type: 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * Sets a condition in place; the transition time moves only when the
 * status does. Answers whether anything changed.
 */
export function setJobCondition(status: AnyObject, wanted: JobCondition): boolean {
  const conditions: AnyObject[] = status.conditions ?? [];
  const at = now();
  const existing = conditions.find((c) => c.type === wanted.type);
  if (existing && existing.status === wanted.status && existing.reason === wanted.reason && existing.message === wanted.message) return false;
  const next = { ...wanted, lastProbeTime: at, lastTransitionTime: existing && existing.status === wanted.status ? existing.lastTransitionTime : at };
  status.conditions = existing ? conditions.map((c) => (c === existing ? next : c)) : [...conditions, next];
  return true;
}

export const conditionOf = (status: AnyObject, type: JobCondition['type']): AnyObject | undefined =>
  (status.conditions ?? []).find((c: AnyObject) => c.type === type && c.status === 'True');
