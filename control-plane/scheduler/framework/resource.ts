import { quantityMilliValue, quantityValue } from '../../../api/validation/quantity.js';

/**
 * Amounts of compute resources as plain numbers, the way kube's scheduler
 * keeps them: cpu in milli-units, everything else in whole units (bytes,
 * devices). Quantities are parsed once, when a pod or node is cached, so a
 * scheduling cycle only compares numbers.
 */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and attachable volumes, by name; absent when there are none. */
  scalar?: Map<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0 });

/** What a container without a cpu or memory request counts as when spreading load (kube's DefaultMilliCPURequest and DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** v1helper.IsScalarResourceName: extended resources, hugepages, attachable volumes and prefixed native resources. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  // Prefixed native resources (kubernetes.io/...) and extended resources (example.com/gpu) both count.
  return name.includes('kubernetes.io/') || !name.startsWith('requests.');
}

type Amounts = Map<string, number>;

function amountsOf(list: Record<string, unknown> | undefined, into: Amounts = new Map()): Amounts {
  if (!list) return into;
  for (const name in list) into.set(name, name === 'cpu' ? quantityMilliValue(list[name]) : quantityValue(list[name]));
  return into;
}

function addInto(target: Amounts, source: Amounts): void {
  for (const [name, n] of source) target.set(name, (target.get(name) ?? 0) + n);
}

function maxInto(target: Amounts, source: Amounts): void {
  for (const [name, n] of source) if (n > (target.get(name) ?? 0)) target.set(name, n);
}

/** A container's requests; for spreading, a missing cpu or memory request counts as kube's defaults. */
function containerRequests(container: any, nonZero: boolean): Amounts {
  const amounts = amountsOf(container?.resources?.requests);
  if (nonZero) {
    if (!amounts.has('cpu')) amounts.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
    if (!amounts.has('memory')) amounts.set('memory', DEFAULT_MEMORY_REQUEST);
  }
  return amounts;
}

/**
 * resourcehelper.PodRequests: the regular containers and the sidecars
 * (restartable init containers) run together; each classic init container
 * runs alone beside the sidecars started before it; the pod needs the larger
 * of the two, plus the sandbox overhead.
 */
function podAmounts(spec: any, nonZero: boolean): Amounts {
  const total: Amounts = new Map();
  for (const c of spec?.containers ?? []) addInto(total, containerRequests(c, nonZero));
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    if (c?.restartPolicy === 'Always') {
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const running = new Map(sidecars);
      addInto(running, own);
      maxInto(initPeak, running);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initPeak);
  if (spec?.overhead) addInto(total, amountsOf(spec.overhead));
  return total;
}

function toResource(amounts: Amounts): Resource {
  const r = emptyResource();
  for (const [name, n] of amounts) {
    if (name === 'cpu') r.milliCPU = n;
    else if (name === 'memory') r.memory = n;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = n;
    else if (isScalarResourceName(name)) (r.scalar ??= new Map()).set(name, n);
  }
  return r;
}

export interface PodResourceRequests {
  /** What the pod asks for: NodeResourcesFit compares it with what the node has left. */
  requests: Resource;
  /** cpu and memory with kube's defaults for containers that ask for none: used to spread load. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

export function podResourceRequests(spec: any): PodResourceRequests {
  const nonZero = podAmounts(spec, true);
  return {
    requests: toResource(podAmounts(spec, false)),
    nonZeroMilliCPU: nonZero.get('cpu') ?? 0,
    nonZeroMemory: nonZero.get('memory') ?? 0,
  };
}

/** A node's allocatable resources; `pods` is the number of pods it takes. */
export function nodeAllocatable(allocatable: Record<string, unknown> | undefined): { resource: Resource; allowedPods: number } {
  const amounts = amountsOf(allocatable);
  return { resource: toResource(amounts), allowedPods: amounts.get('pods') ?? 0 };
}

export function addResource(target: Resource, source: Resource, sign: 1 | -1): void {
  target.milliCPU += sign * source.milliCPU;
  target.memory += sign * source.memory;
  target.ephemeralStorage += sign * source.ephemeralStorage;
  if (source.scalar) {
    const scalar = (target.scalar ??= new Map());
    for (const [name, n] of source.scalar) scalar.set(name, (scalar.get(name) ?? 0) + sign * n);
  }
}
