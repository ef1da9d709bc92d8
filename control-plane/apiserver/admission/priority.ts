import type { KObject } from '../../../api/kind.js';
import { PREEMPT_LOWER_PRIORITY } from '../../../api/kinds/priority-class.js';
import { forbidden, StatusError } from '../../../api/status.js';
import type { ResourceStore } from '../registry/resource-store.js';
import { StoreMirror } from '../storage/store-mirror.js';
import { admissionName } from './object-name.js';

const PODS = { group: '', resource: 'pods' };
const PRIORITY_CLASSES = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

const isSet = (v: unknown) => v !== undefined && v !== null;

/**
 * kube-apiserver's Priority admission plugin. A new pod's priority comes
 * from its PriorityClass (or the global default class, or 0 without one)
 * and may not be given otherwise; only one class may be the global default.
 * Critical classes are allowed in every namespace, as in kube since 1.17:
 * limiting them is a ResourceQuota admission configuration, which Skiff has not.
 */
export class PriorityAdmission {
  /** The classes as the watch cache has them, so a pod create costs no etcd read (kube's plugin reads an informer). */
  private readonly known = new Map<string, KObject>();
  private readonly mirror: StoreMirror;

  constructor(private readonly classes: ResourceStore) {
    this.mirror = new StoreMirror(classes, {
      replace: (items) => {
        this.known.clear();
        for (const pc of items) this.known.set(pc.metadata.name, pc);
      },
      upsert: (pc) => this.known.set(pc.metadata.name, pc),
      remove: (pc) => this.known.delete(pc.metadata.name),
    }, 'priorityclasses');
  }

  start(): Promise<void> {
    return this.mirror.start();
  }

  stop(): void {
    this.mirror.stop();
  }

  /** The global default class; should a race have left several, the lowest value wins, as in kube. */
  async defaultClass(): Promise<KObject | undefined> {
    let low: KObject | undefined;
    for (const pc of this.known.values()) if (pc.globalDefault === true && (!low || (pc.value ?? 0) < (low.value ?? 0))) low = pc;
    return low;
  }

  /** On pod create: spec.priority and spec.preemptionPolicy from the class the pod names, or the default one. */
  async admitPod(pod: KObject): Promise<void> {
    if (typeof pod.spec !== 'object' || pod.spec === null) pod.spec = {};
    const spec = pod.spec;
    const named = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    let pc: KObject | undefined;
    if (named) {
      // A class made a moment ago may not be mirrored yet: only then is etcd asked.
      pc = this.known.get(named) ?? await this.classes.get(undefined, named).catch((err) => {
        if (err instanceof StatusError && err.code === 404) throw forbidden({ ...PODS, name: admissionName(pod) }, `no PriorityClass with name ${named} was found`);
        throw err;
      });
    } else {
      pc = await this.defaultClass();
      if (pc) spec.priorityClassName = pc.metadata.name;
      else delete spec.priorityClassName;
    }
    const priority: number = pc ? pc.value ?? 0 : 0;
    const policy: string | undefined = pc ? pc.preemptionPolicy : PREEMPT_LOWER_PRIORITY;
    if (isSet(spec.priority) && spec.priority !== priority) {
      throw forbidden({ ...PODS, name: admissionName(pod) }, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    spec.priority = priority;
    if (!policy) return;
    if (isSet(spec.preemptionPolicy) && spec.preemptionPolicy !== policy) {
      throw forbidden({ ...PODS, name: admissionName(pod) }, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }

  /** On PriorityClass create and update: no second global default. */
  async validateClass(pc: KObject, old?: KObject): Promise<void> {
    if (pc.globalDefault !== true) return;
    const current = await this.defaultClass();
    if (current && (!old || current.metadata.name !== pc.metadata?.name)) {
      throw forbidden({ ...PRIORITY_CLASSES, name: admissionName(pc) }, `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist`);
    }
  }
}

/**
 * On pod update, what the plugin set at create stays when a client leaves it
 * out; pod validation refuses any other change to it.
 */
export function keepPodPriority(pod: KObject, old: KObject): void {
  if (typeof pod.spec !== 'object' || pod.spec === null) return;
  if (!isSet(pod.spec.priority) && isSet(old.spec?.priority)) pod.spec.priority = old.spec.priority;
  if (!isSet(pod.spec.preemptionPolicy) && isSet(old.spec?.preemptionPolicy)) pod.spec.preemptionPolicy = old.spec.preemptionPolicy;
}
