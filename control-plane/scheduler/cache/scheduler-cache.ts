import { zoneKey } from '../../../api/node-status.js';
import type { AnyObject } from '../../../client/resource.js';
import { NodeInfo } from '../framework/node-info.js';
import type { NodeSnapshot } from '../framework/plugin.js';
import { PodInfo } from '../framework/pod-info.js';

interface PodState {
  info: PodInfo;
  node: string;
  /** Placed by this scheduler and not yet seen bound by the informer. */
  assumed: boolean;
}

/**
 * The scheduler's picture of the cluster: a NodeInfo per node with the pods
 * assigned to it, kept up to date from the node and pod informers one change
 * at a time. A pod is "assumed" onto its chosen node as soon as a cycle
 * picks the node, so the next cycle already counts its resources; the
 * informer confirms it once the binding is seen, and a failed binding
 * forgets it. Scheduling cycles run between events on one thread, so a
 * cycle reads the cache directly: nothing changes under it.
 */
export class SchedulerCache implements NodeSnapshot {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private ordered: NodeInfo[] = [];
  private orderStale = true;
  private readonly withAffinity = new Set<NodeInfo>();
  private readonly withRequiredAntiAffinity = new Set<NodeInfo>();

  setNode(node: AnyObject): void {
    const name = node.metadata.name!;
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    const before = info.node ? zoneKey(info.labels) : undefined;
    info.setNode(node);
    if (before === zoneKey(info.labels)) return;
    // Like kube's node tree, a node that changes zone joins the end of its new zone.
    this.nodes.delete(name);
    this.nodes.set(name, info);
    this.orderStale = true;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    // Pods still bound to a deleted node keep its NodeInfo until they go too.
    info.node = undefined;
    if (!info.pods.length) this.nodes.delete(name);
    this.orderStale = true;
  }

  /** An assigned pod as the informer sees it: added, updated, or the confirmation of an assumed pod. */
  setPod(pod: AnyObject): void {
    const uid = pod.metadata.uid!;
    const nodeName: string = pod.spec.nodeName;
    const state = this.pods.get(uid);
    if (state) this.detach(state);
    const info = new PodInfo(pod);
    this.pods.set(uid, { info, node: nodeName, assumed: false });
    this.attach(info, nodeName);
  }

  removePod(uid: string): void {
    const state = this.pods.get(uid);
    if (!state) return;
    this.detach(state);
    this.pods.delete(uid);
  }

  /** Places a pod on a node before its binding is written. */
  assume(info: PodInfo, nodeName: string): void {
    const state = this.pods.get(info.uid);
    if (state) throw new Error(`pod ${info.key} is already in the scheduler cache (on ${state.node}${state.assumed ? ', assumed' : ''})`);
    this.pods.set(info.uid, { info, node: nodeName, assumed: true });
    this.attach(info, nodeName);
  }

  /**
   * Undoes assume() after a failed binding, or for a pod deleted before the
   * informer saw it bound; a pod the informer has confirmed stays. Answers
   * whether an assumed pod was forgotten.
   */
  forget(uid: string): boolean {
    const state = this.pods.get(uid);
    if (!state?.assumed) return false;
    this.detach(state);
    this.pods.delete(uid);
    return true;
  }

  /** Whether the cache holds the pod on a node, assumed or confirmed. */
  hasPod(uid: string): boolean {
    return this.pods.has(uid);
  }

  list(): readonly NodeInfo[] {
    if (this.orderStale) this.rebuildOrder();
    return this.ordered;
  }

  get(name: string): NodeInfo | undefined {
    const info = this.nodes.get(name);
    return info?.node ? info : undefined;
  }

  havePodsWithAffinity(): readonly NodeInfo[] {
    return [...this.withAffinity].filter((n) => n.node);
  }

  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return [...this.withRequiredAntiAffinity].filter((n) => n.node);
  }

  get nodeCount(): number {
    return this.list().length;
  }

  private attach(info: PodInfo, nodeName: string): void {
    let node = this.nodes.get(nodeName);
    if (!node) this.nodes.set(nodeName, (node = new NodeInfo(nodeName)));
    node.addPod(info);
    this.track(node);
  }

  private detach(state: PodState): void {
    const node = this.nodes.get(state.node);
    if (!node) return;
    node.removePod(state.info.uid);
    this.track(node);
    if (!node.node && !node.pods.length) this.nodes.delete(state.node);
  }

  private track(node: NodeInfo): void {
    if (node.podsWithAffinity.length) this.withAffinity.add(node);
    else this.withAffinity.delete(node);
    if (node.podsWithRequiredAntiAffinity.length) this.withRequiredAntiAffinity.add(node);
    else this.withRequiredAntiAffinity.delete(node);
  }

  /** kube's node tree: nodes grouped by zone, zones taken in turn, so a partial search still covers every zone. */
  private rebuildOrder(): void {
    const zones = new Map<string, NodeInfo[]>();
    for (const info of this.nodes.values()) {
      if (!info.node) continue;
      const key = zoneKey(info.labels);
      let list = zones.get(key);
      if (!list) zones.set(key, (list = []));
      list.push(info);
    }
    const lists = [...zones.values()];
    const total = lists.reduce((n, l) => n + l.length, 0);
    const ordered: NodeInfo[] = [];
    for (let i = 0; ordered.length < total; i++) {
      for (const list of lists) if (i < list.length) ordered.push(list[i]);
    }
    this.ordered = ordered;
    this.orderStale = false;
  }
}
