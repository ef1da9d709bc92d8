import { setTimeout as sleep } from 'node:timers/promises';
import { randomInt } from 'node:crypto';
import type { KObject } from '../../../api/kind.js';
import { forbidden, StatusError } from '../../../api/status.js';
import { dns1123Subdomain } from '../../../api/validation/names.js';
import { ANNOTATION_MIRROR_POD, CONFIG_MAP_ROOT_CA } from '../../../api/well-known.js';
import { secretsOf } from '../auth/node-authorizer.js';
import { generateNameSuffix } from '../registry/generate-name.js';
import type { ResourceStore } from '../registry/resource-store.js';
import { StoreMirror } from '../storage/store-mirror.js';
import { admissionName } from './object-name.js';

const PODS = { group: '', resource: 'pods' };
const DEFAULT_SERVICE_ACCOUNT = 'default';
/** Where every container finds its credentials, as in-cluster clients (client-go's rest.InClusterConfig) expect them. */
const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The admission-made volume's name is this, a dash and five random characters. */
const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access';
/**
 * kube's WarnOnlyBoundTokenExpirationSeconds, an hour and seven seconds: an
 * odd length by which kube-apiserver tells admission's tokens from others
 * (to extend them); Skiff writes the same so pod specs read as on any cluster.
 */
const TOKEN_EXPIRATION_SECONDS = 3607;
/** Lookups of a `default` account the serviceaccount controller may not have made yet; one for any other. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

/** The projected volume kube-apiserver mounts into every pod: a bound token, the cluster CA and the namespace. */
function tokenVolumeSource(): KObject {
  return {
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: CONFIG_MAP_ROOT_CA, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
    // Set although it is the default, as kube does (kubernetes#104464): the pod spec then reads the same before and after defaulting.
    defaultMode: 0o644,
  };
}

const list = (v: unknown): KObject[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : []);

/**
 * kube-apiserver's ServiceAccount admission plugin, on pod create: the pod
 * runs as its namespace's `default` account unless it names another, the
 * account must exist, and unless automounting is turned off every container
 * gets the account's credentials at {@link SERVICE_ACCOUNT_MOUNT_PATH} and
 * the pod the account's image pull secrets. Updates are left to pod
 * validation, which refuses any change of serviceAccountName.
 */
export class ServiceAccountAdmission {
  /** The accounts as the watch cache has them, by namespace/name, so most pod creates cost no etcd read (kube's plugin reads a lister). */
  private readonly known = new Map<string, KObject>();
  private readonly mirror: StoreMirror;

  constructor(private readonly accounts: ResourceStore) {
    const key = (sa: KObject) => `${sa.metadata.namespace}/${sa.metadata.name}`;
    this.mirror = new StoreMirror(accounts, {
      replace: (items) => {
        this.known.clear();
        for (const sa of items) this.known.set(key(sa), sa);
      },
      upsert: (sa) => this.known.set(key(sa), sa),
      remove: (sa) => this.known.delete(key(sa)),
    }, 'serviceaccounts');
  }

  start(): Promise<void> {
    return this.mirror.start();
  }

  stop(): void {
    this.mirror.stop();
  }

  async admitPod(pod: KObject, namespace: string): Promise<void> {
    if (typeof pod.spec !== 'object' || pod.spec === null) pod.spec = {};
    const spec = pod.spec;
    if (pod.metadata?.annotations?.[ANNOTATION_MIRROR_POD] !== undefined) return refuseMirrorPodCredentials(pod);
    spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
    const name: string = spec.serviceAccountName;
    const account = await this.find(namespace, name);
    if (!account) {
      throw forbidden({ ...PODS, name: admissionName(pod) }, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
    }
    if (automount(account, pod)) mountToken(spec);
    if (list(spec.imagePullSecrets).length === 0 && list(account.imagePullSecrets).length > 0) {
      spec.imagePullSecrets = list(account.imagePullSecrets).map((s) => ({ name: s.name }));
    }
  }

  /**
   * The account from the mirror, else from etcd: one made a moment ago may
   * not be mirrored yet, and a namespace's `default` one may still be on its
   * way from the serviceaccount controller, so that one is asked for
   * several times, 100 to 200 ms apart.
   */
  private async find(namespace: string, name: string): Promise<KObject | undefined> {
    const cached = this.known.get(`${namespace}/${name}`);
    if (cached) return cached;
    // A name no account can have is not looked up: it would be a key outside the accounts' prefix.
    if (dns1123Subdomain('name', name).length > 0) return undefined;
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    const interval = 100 + randomInt(100);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(interval);
      try {
        return await this.accounts.get(namespace, name);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return undefined;
  }
}

/** The pod's own automountServiceAccountToken wins, then the account's; unset on both means mount. */
function automount(account: KObject, pod: KObject): boolean {
  if (typeof pod.spec.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof account.automountServiceAccountToken === 'boolean') return account.automountServiceAccountToken;
  return true;
}

/**
 * The credentials volume, and a read-only mount of it in every init and
 * regular container that has nothing at the mount path already. A volume
 * made by an earlier pass (a pod copied from another keeps it) is reused.
 * Ephemeral containers are left alone: a pod cannot be created with them.
 */
function mountToken(spec: KObject): void {
  const existing = list(spec.volumes).find((v) => typeof v.name === 'string' && v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_PREFIX}-`));
  const volumeName: string = existing?.name ?? `${SERVICE_ACCOUNT_VOLUME_PREFIX}-${generateNameSuffix()}`;
  const mount = { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
  let mounted = false;
  for (const container of [...list(spec.initContainers), ...list(spec.containers)]) {
    if (list(container.volumeMounts).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    container.volumeMounts = append(container.volumeMounts, { ...mount });
    mounted = true;
  }
  if (mounted && !existing) spec.volumes = append(spec.volumes, { name: volumeName, projected: tokenVolumeSource() });
}

/** `items` with one more at the end; what is not a list yet becomes one. */
const append = (items: unknown, item: KObject): unknown[] => [...(Array.isArray(items) ? items : []), item];

/** A mirror pod stands for a static pod its node runs on its own: it may use no account, secret or token. */
function refuseMirrorPodCredentials(pod: KObject): void {
  const refuse = (why: string) => forbidden({ ...PODS, name: admissionName(pod) }, why);
  if (pod.spec.serviceAccountName || pod.spec.serviceAccount) throw refuse('a mirror pod may not reference service accounts');
  if (secretsOf(pod).length > 0) throw refuse('a mirror pod may not reference secrets');
  if (list(pod.spec.volumes).some((v) => list(v.projected?.sources).some((s) => s.serviceAccountToken))) {
    throw refuse('a mirror pod may not use ServiceAccountToken volume projections');
  }
}
