import { randomUUID } from 'node:crypto';
import type { AnyObject, OwnerReference } from '../../client/resource.js';
import { Store, byNamespace, namespaceIndex } from '../../client/store.js';
import type { Listers } from '../../control-plane/scheduler/framework/listers.js';
import { NodeInfo } from '../../control-plane/scheduler/framework/node-info.js';
import { CycleState, SKIP, isStatus, type NodeSnapshot, type Plugin, type Status } from '../../control-plane/scheduler/framework/plugin.js';
import { PodInfo } from '../../control-plane/scheduler/framework/pod-info.js';
import { PV_CLASS_INDEX, pvClassIndex } from '../../control-plane/scheduler/plugins/volume-binding.js';

export interface NodeShape {
  cpu?: string;
  memory?: string;
  pods?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: Record<string, any>[];
  unschedulable?: boolean;
  /** The Ready condition's status; 'missing' leaves the condition out. */
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
  allocatable?: Record<string, string>;
}

/** A Node as an agent registers it: allocatable, hostname and zone labels, a Ready condition. */
export function nodeObject(name: string, shape: NodeShape = {}): AnyObject {
  const allocatable = { cpu: shape.cpu ?? '4', memory: shape.memory ?? '8Gi', pods: shape.pods ?? '110', ...shape.allocatable };
  const zone = shape.zone ?? 'us-east-1a';
  const ready = shape.ready ?? 'True';
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name, uid: randomUUID(),
      labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': zone.slice(0, -1), ...shape.labels },
    },
    spec: { ...(shape.taints ? { taints: shape.taints } : {}), ...(shape.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: allocatable, allocatable,
      conditions: ready === 'missing' ? [] : [{ type: 'Ready', status: ready, reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    },
  };
}

export interface PodShape {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  spec?: Record<string, any>;
  ownerReferences?: OwnerReference[];
}

/** A pod with one container asking for `cpu` and `memory` (nothing when unset). */
export function podObject(name: string, shape: PodShape = {}): AnyObject {
  const requests: Record<string, string> = {};
  if (shape.cpu) requests.cpu = shape.cpu;
  if (shape.memory) requests.memory = shape.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: shape.namespace ?? 'default', uid: randomUUID(), labels: shape.labels ?? {},
      ...(shape.ownerReferences ? { ownerReferences: shape.ownerReferences } : {}),
    },
    spec: {
      schedulerName: 'default-scheduler',
      containers: [{ name: 'app', image: 'registry.local/app:1', resources: Object.keys(requests).length ? { requests } : {} }],
      ...(shape.nodeName ? { nodeName: shape.nodeName } : {}),
      ...shape.spec,
    },
  };
}

/** A NodeInfo for the node with these pods on it. */
export function nodeInfo(node: AnyObject, pods: AnyObject[] = []): NodeInfo {
  const info = new NodeInfo(node.metadata.name!);
  info.setNode(node);
  for (const p of pods) info.addPod(new PodInfo(p));
  return info;
}

export function snapshotOf(nodes: NodeInfo[]): NodeSnapshot {
  return {
    list: () => nodes,
    get: (name) => nodes.find((n) => n.name === name),
    havePodsWithAffinity: () => nodes.filter((n) => n.podsWithAffinity.length),
    havePodsWithRequiredAntiAffinity: () => nodes.filter((n) => n.podsWithRequiredAntiAffinity.length),
  };
}

export type TestListers = { [K in keyof Listers]-?: Store<AnyObject> };

/** Empty informer-like stores for every lister, indexed as the scheduler indexes them. */
export function emptyListers(): TestListers {
  const store = () => new Store<AnyObject>({ [namespaceIndex]: byNamespace });
  const pvs = store();
  pvs.addIndexer(PV_CLASS_INDEX, pvClassIndex);
  return {
    pods: store(), namespaces: store(), services: store(), replicaSets: store(), statefulSets: store(), replicationControllers: store(),
    persistentVolumeClaims: store(), persistentVolumes: pvs, storageClasses: store(),
  };
}

/** Runs a plugin's PreFilter and then its Filter on each node: the status per node name, or the PreFilter's answer. */
export function runFilter(plugin: Plugin, pod: AnyObject, nodes: NodeInfo[]): { preFilter?: Status | 'skip'; byNode: Record<string, Status | undefined>; state: CycleState } {
  const state = new CycleState();
  const info = new PodInfo(pod);
  const pre = plugin.preFilter?.(state, info, nodes);
  if (pre === SKIP || isStatus(pre)) return { preFilter: pre, byNode: {}, state };
  const byNode: Record<string, Status | undefined> = {};
  for (const n of nodes) byNode[n.name] = plugin.filter!(state, info, n);
  return { byNode, state };
}

/** Runs a plugin's PreScore, Score and NormalizeScore: the final score per node name, or 'skip'. */
export function runScore(plugin: Plugin, pod: AnyObject, nodes: NodeInfo[], state = new CycleState()): Record<string, number> | 'skip' {
  const info = new PodInfo(pod);
  if (plugin.preScore?.(state, info, nodes) === SKIP) return SKIP;
  const scores = nodes.map((n) => plugin.score!(state, info, n));
  plugin.normalizeScore?.(state, info, scores, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]));
}
