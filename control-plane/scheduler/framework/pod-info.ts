import type { Toleration } from '../../../api/taints.js';
import { LabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/label-selector.js';
import type { AnyObject } from '../../../client/resource.js';
import { podResourceRequests, type Resource } from './resource.js';

/** A pod (anti-)affinity term with its selectors parsed. */
export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  /** LabelSelector.nothing() when the term has none. */
  namespaceSelector: LabelSelector;
  selector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** framework.AffinityTerm.Matches: the pod is in one of the term's namespaces and carries the labels it selects. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: Record<string, string> | undefined): boolean {
  if (term.namespaces.has(pod.namespace) || term.namespaceSelector.matches(namespaceLabels)) return term.selector.matches(pod.labels);
  return false;
}

const NO_TERMS: never[] = [];

/**
 * What the scheduler needs of a pod, worked out once per version of the
 * pod: its requests as numbers, host ports, tolerations and parsed affinity
 * terms. Both the pod being scheduled and the pods already on nodes are
 * held this way.
 */
export class PodInfo {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly labels: Record<string, string>;
  readonly priority: number;
  readonly deleting: boolean;
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  readonly requiredAffinityTerms: readonly AffinityTerm[] = NO_TERMS;
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[] = NO_TERMS;
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[] = NO_TERMS;
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[] = NO_TERMS;
  /** The pod sets podAffinity or podAntiAffinity (kube's PodsWithAffinity). */
  readonly hasPodAffinity: boolean;
  /** The pod mounts claims (persistent or ephemeral) or EBS disks: the volume plugins look at it. */
  readonly usesVolumes: boolean;
  /** Why an affinity term could not be parsed; the API server does not validate every selector. */
  readonly parseError?: string;

  constructor(readonly pod: AnyObject) {
    const meta = pod.metadata;
    const spec = pod.spec ?? {};
    this.uid = meta.uid ?? '';
    this.namespace = meta.namespace ?? '';
    this.name = meta.name ?? '';
    this.key = `${this.namespace}/${this.name}`;
    this.labels = meta.labels ?? {};
    this.priority = typeof spec.priority === 'number' ? spec.priority : 0;
    this.deleting = !!meta.deletionTimestamp;
    const requests = podResourceRequests(spec);
    this.requests = requests.requests;
    this.nonZeroMilliCPU = requests.nonZeroMilliCPU;
    this.nonZeroMemory = requests.nonZeroMemory;
    this.hostPorts = hostPortsOf(spec);
    this.tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : NO_TERMS;
    this.usesVolumes = Array.isArray(spec.volumes) && spec.volumes.some((v: AnyObject) => v?.persistentVolumeClaim || v?.ephemeral || v?.awsElasticBlockStore);
    const podAffinity = spec.affinity?.podAffinity;
    const podAntiAffinity = spec.affinity?.podAntiAffinity;
    this.hasPodAffinity = !!(podAffinity || podAntiAffinity);
    if (!this.hasPodAffinity) return;
    try {
      this.requiredAffinityTerms = this.terms(podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      this.requiredAntiAffinityTerms = this.terms(podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      this.preferredAffinityTerms = this.weightedTerms(podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      this.preferredAntiAffinityTerms = this.weightedTerms(podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    } catch (err) {
      this.parseError = (err as Error).message;
    }
  }

  private terms(raw: unknown): AffinityTerm[] {
    if (!Array.isArray(raw) || raw.length === 0) return NO_TERMS;
    return raw.map((t) => this.term(t));
  }

  private weightedTerms(raw: unknown): WeightedAffinityTerm[] {
    if (!Array.isArray(raw) || raw.length === 0) return NO_TERMS;
    return raw.map((w) => ({ ...this.term(w?.podAffinityTerm ?? {}), weight: Number(w?.weight ?? 0) }));
  }

  /** With neither namespaces nor a namespace selector, a term means the pod's own namespace. */
  private term(t: AnyObject): AffinityTerm {
    const namespaces: string[] = Array.isArray(t.namespaces) ? t.namespaces : [];
    const nsSelector = t.namespaceSelector as LabelSelectorObject | null | undefined;
    return {
      namespaces: new Set(namespaces.length === 0 && !nsSelector ? [this.namespace] : namespaces),
      namespaceSelector: labelSelectorFromObject(nsSelector),
      selector: labelSelectorFromObject(t.labelSelector),
      topologyKey: String(t.topologyKey ?? ''),
    };
  }
}

function hostPortsOf(spec: AnyObject): HostPort[] {
  let ports: HostPort[] | undefined;
  for (const c of spec.containers ?? []) {
    for (const p of c?.ports ?? []) {
      if (!(p?.hostPort > 0)) continue;
      (ports ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports ?? NO_TERMS;
}
