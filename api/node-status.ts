import type { KObject } from './kind.js';
import {
  LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE,
} from './well-known.js';

/** A node condition as the API carries it (Ready, MemoryPressure, ...). */
export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string | null;
  lastTransitionTime?: string | null;
}

/** nodeutil.GetNodeCondition: the condition of this type in a node's status. */
export function nodeCondition(status: KObject | undefined, type: string): NodeCondition | undefined {
  const conditions = status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i]?.type === type) return conditions[i];
  return undefined;
}

/** The node reports Ready=True. */
export const isNodeReady = (node: KObject | undefined): boolean => nodeCondition(node?.status, 'Ready')?.status === 'True';

/**
 * utilnode.GetZoneKey: a node's region and zone from the topology labels
 * (or their deprecated failure-domain forms), '' when it has neither. The
 * NUL keeps "a:b" + "c" apart from "a" + "b:c".
 */
export function zoneKey(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const region = labels[LABEL_TOPOLOGY_REGION] ?? labels[LABEL_FAILURE_DOMAIN_BETA_REGION] ?? '';
  const zone = labels[LABEL_TOPOLOGY_ZONE] ?? labels[LABEL_FAILURE_DOMAIN_BETA_ZONE] ?? '';
  return region || zone ? `${region}:\0:${zone}` : '';
}
