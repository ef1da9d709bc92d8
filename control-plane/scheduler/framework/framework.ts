import { wrapError } from '../../../client/api-error.js';
import type { NodeInfo } from './node-info.js';
import { isStatus, SKIP, type CycleState, type Plugin, type Status } from './plugin.js';
import type { PodInfo } from './pod-info.js';

/** A plugin of a profile, with its score weight. */
export interface ProfileEntry {
  plugin: Plugin;
  weight?: number;
}

export interface PreFilterOutcome {
  /** The first PreFilter that rejected the pod: then every node has its status. */
  rejected?: { plugin: string; status: Status };
  /** The only nodes worth filtering, when a PreFilter narrowed them down. */
  nodeNames?: ReadonlySet<string>;
  /** The plugins that narrowed them (kube names them for the nodes left out). */
  narrowedBy: string[];
  /** The filters to run: those whose PreFilter did not skip. */
  filters: readonly Plugin[];
}

/**
 * One scheduling profile (kube's default-scheduler): the plugins at each
 * extension point, in kube's order, and how the points run.
 */
export class Framework {
  readonly plugins: readonly Plugin[];
  private readonly filters: readonly Plugin[];
  private readonly scorers: readonly { plugin: Plugin; weight: number }[];

  constructor(readonly profileName: string, entries: ProfileEntry[]) {
    this.plugins = entries.map((e) => e.plugin);
    this.filters = this.plugins.filter((p) => p.filter);
    this.scorers = entries.filter((e) => e.plugin.score && (e.weight ?? 0) > 0).map((e) => ({ plugin: e.plugin, weight: e.weight! }));
  }

  /** The first PreEnqueue that holds the pod back says why; undefined lets it into the queue. */
  runPreEnqueue(pod: PodInfo): string | undefined {
    for (const plugin of this.plugins) {
      const why = plugin.preEnqueue?.(pod);
      if (why !== undefined) return why;
    }
    return undefined;
  }

  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    const skipped = new Set<Plugin>();
    let nodeNames: Set<string> | undefined;
    const narrowedBy: string[] = [];
    for (const plugin of this.plugins) {
      if (!plugin.preFilter) continue;
      let result: ReturnType<NonNullable<Plugin['preFilter']>>;
      try {
        result = plugin.preFilter(state, pod, nodes);
      } catch (err) {
        throw wrapError(`running PreFilter plugin "${plugin.name}"`, err);
      }
      if (result === SKIP) {
        skipped.add(plugin);
      } else if (isStatus(result)) {
        return { rejected: { plugin: plugin.name, status: result }, narrowedBy, filters: [] };
      } else if (result) {
        narrowedBy.push(plugin.name);
        nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => result.nodeNames.has(n))) : new Set(result.nodeNames);
      }
    }
    return { nodeNames, narrowedBy, filters: skipped.size ? this.filters.filter((p) => !skipped.has(p)) : this.filters };
  }

  /** RunFilterPlugins: the first filter that rejects the node decides. */
  runFilters(filters: readonly Plugin[], state: CycleState, pod: PodInfo, node: NodeInfo): { plugin: string; status: Status } | undefined {
    for (const plugin of filters) {
      let status: Status | undefined;
      try {
        status = plugin.filter!(state, pod, node);
      } catch (err) {
        throw wrapError(`running "${plugin.name}" filter plugin`, err);
      }
      if (status) return { plugin: plugin.name, status };
    }
    return undefined;
  }

  get hasScorers(): boolean {
    return this.scorers.length > 0;
  }

  /** PreScore, Score and NormalizeScore of every scoring plugin: the weighted total per feasible node. */
  runScores(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(feasible.length).fill(0);
    const scores = new Array<number>(feasible.length);
    for (const { plugin, weight } of this.scorers) {
      try {
        if (plugin.preScore?.(state, pod, feasible) === SKIP) continue;
      } catch (err) {
        throw wrapError(`running PreScore plugin "${plugin.name}"`, err);
      }
      try {
        for (let i = 0; i < feasible.length; i++) scores[i] = plugin.score!(state, pod, feasible[i]);
        plugin.normalizeScore?.(state, pod, scores, feasible);
      } catch (err) {
        throw wrapError(`plugin "${plugin.name}" failed with`, err);
      }
      for (let i = 0; i < feasible.length; i++) totals[i] += scores[i] * weight;
    }
    return totals;
  }

  /** Reserve in order; when one fails, what was reserved is undone and the failure thrown. */
  runReserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const plugin of this.plugins) {
      if (!plugin.reserve) continue;
      try {
        plugin.reserve(state, pod, nodeName);
      } catch (err) {
        this.runUnreserve(state, pod, nodeName);
        throw wrapError(`running Reserve plugin "${plugin.name}"`, err);
      }
    }
  }

  /** Unreserve in reverse order; each plugin's unreserve is idempotent. */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.plugins.length - 1; i >= 0; i--) this.plugins[i].unreserve?.(state, pod, nodeName);
  }

  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.preBind) continue;
      try {
        await plugin.preBind(state, pod, nodeName, signal);
      } catch (err) {
        throw wrapError(`running PreBind plugin "${plugin.name}"`, err);
      }
    }
  }
}
