import type { EventRegistration } from './cluster-event.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/**
 * Why a plugin rejects a pod (for a node, or at PreFilter for every node).
 * UnschedulableAndUnresolvable says preemption could not help either. An
 * internal failure is not a Status: plugins throw, and the attempt ends as
 * an error.
 */
export interface Status {
  readonly code: 'Unschedulable' | 'UnschedulableAndUnresolvable';
  readonly reasons: readonly string[];
}

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const isStatus = (v: unknown): v is Status => typeof v === 'object' && v !== null && 'code' in v;

/** Status.Message(): the reasons joined. */
export const statusMessage = (s: Status): string => s.reasons.join(', ');

/** A PreFilter's answer that only these nodes can fit (NodeAffinity on metadata.name). */
export interface PreFilterResult {
  nodeNames: ReadonlySet<string>;
}

/** A PreFilter or PreScore answer: this plugin has nothing to check or score for this pod. */
export const SKIP = 'skip';
export type Skip = typeof SKIP;

/** What plugins remember from one extension point to the next within one scheduling attempt. */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** The nodes a scheduling cycle sees; within a cycle nothing changes them. */
export interface NodeSnapshot {
  /** Nodes in scheduling order (kube's node tree: zones taken in turn). */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  havePodsWithAffinity(): readonly NodeInfo[];
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
}

/**
 * A scheduling framework plugin: whichever extension points it implements.
 * The names are kube's, because they show up in metrics and in which
 * cluster events wake the pods a plugin rejected.
 */
export interface Plugin {
  readonly name: string;
  /** Cluster events after which a pod this plugin rejected may fit. */
  readonly events?: readonly EventRegistration[];
  /** Before the pod enters activeQ: undefined lets it in, otherwise why it waits (SchedulingGates). */
  preEnqueue?(pod: PodInfo): string | undefined;
  preFilter?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | PreFilterResult | Skip | undefined;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
  preScore?(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Skip | undefined;
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites the raw scores (one per feasible node, in order) to the 0..100 range. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[], nodes: readonly NodeInfo[]): void;
  reserve?(state: CycleState, pod: PodInfo, nodeName: string): void;
  unreserve?(state: CycleState, pod: PodInfo, nodeName: string): void;
  /** Runs in the binding cycle, before the pod is bound; may wait, and throws to retry the pod. */
  preBind?(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<void>;
}

export const MAX_NODE_SCORE = 100;

/** helper.DefaultNormalizeScore: scales to 0..100 by the highest score, reversed when fewer is better. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
