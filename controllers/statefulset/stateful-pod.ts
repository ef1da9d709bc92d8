import { clone } from '../../api/deep-equal.js';
import { newControllerRef } from '../../api/owner-references.js';
import { isPodReady, isPodTerminal } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import { availableInMs } from '../replicaset/pod-availability.js';
import { podFromTemplate } from '../replicaset/pod-template.js';

/** The labels kube's StatefulSet controller puts on every pod it makes. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** Holds the name of the ControllerRevision the pod was made from (not its hash, as a DaemonSet's pods do). */
export const STATEFUL_SET_REVISION_LABEL = 'controller-revision-hash';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** The StatefulSet a pod's name says it belongs to and its ordinal; undefined for names not of that shape. */
export function parseOrdinal(pod: AnyObject): { parent: string; ordinal: number } | undefined {
  const m = ORDINAL_NAME.exec(pod.metadata.name ?? '');
  return m ? { parent: m[1], ordinal: Number(m[2]) } : undefined;
}

/** isMemberOf: only pods named `<set>-<ordinal>` are the set's, whatever their labels. */
export const isMemberOf = (set: AnyObject, pod: AnyObject): boolean => parseOrdinal(pod)?.parent === set.metadata.name;

export const startOrdinal = (set: AnyObject): number => set.spec.ordinals?.start ?? 0;

export const podName = (set: AnyObject, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

export const claimName = (template: AnyObject, set: AnyObject, ordinal: number): string => `${template.metadata?.name}-${podName(set, ordinal)}`;

export const podRevision = (pod: AnyObject): string | undefined => pod.metadata.labels?.[STATEFUL_SET_REVISION_LABEL];

export const isTerminating = (pod: AnyObject): boolean => !!pod.metadata.deletionTimestamp;

/** isCreated: the API server gave the pod a phase. */
export const isCreated = (pod: AnyObject): boolean => !!pod.status?.phase;

export const isRunningAndReady = (pod: AnyObject): boolean => pod.status?.phase === 'Running' && isPodReady(pod);

export const isFinished = (pod: AnyObject): boolean => isPodTerminal(pod);

/** isHealthy: running, ready for minReadySeconds, and not on its way out. */
export function isHealthy(pod: AnyObject, minReadySeconds: number, nowMs: number): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod) && availableInMs(pod, minReadySeconds, nowMs) === 0;
}

/**
 * getPersistentVolumeClaims: the claims a pod of `ordinal` mounts, by
 * template name, each labelled with the set's selector so the set's pods
 * and claims are found alike.
 */
export function claimsFor(set: AnyObject, ordinal: number): Map<string, AnyObject> {
  const claims = new Map<string, AnyObject>();
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const meta = template.metadata ?? {};
    claims.set(meta.name, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(template, set, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...meta.labels, ...set.spec.selector?.matchLabels },
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      },
      spec: clone(template.spec ?? {}),
    });
  }
  return claims;
}

/**
 * newVersionedStatefulSetPod: the pod of `ordinal` from `template` (the
 * revision's), named and labelled for its identity, its hostname and
 * subdomain giving it a stable DNS name under the set's Service, and its
 * claim templates' volumes pointing at its own claims.
 */
export function newStatefulSetPod(set: AnyObject, template: AnyObject, revisionName: string, ordinal: number): AnyObject {
  const pod = podFromTemplate(template, set, newControllerRef(set, 'apps/v1', 'StatefulSet'));
  const name = podName(set, ordinal);
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = {
    ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [STATEFUL_SET_REVISION_LABEL]: revisionName,
  };
  pod.spec.hostname = name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  const claims = claimsFor(set, ordinal);
  const mounted = [...claims].map(([volume, claim]) => ({ name: volume, persistentVolumeClaim: { claimName: claim.metadata.name } }));
  // A template volume of a claim template's name is replaced by the claim, as in kube.
  pod.spec.volumes = [...mounted, ...(pod.spec.volumes ?? []).filter((v: AnyObject) => !claims.has(v.name))];
  if (!pod.spec.volumes.length) delete pod.spec.volumes;
  return pod;
}
