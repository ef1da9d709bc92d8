/**
 * Defaults and semantic validation of a core/v1 PodSpec, shared by Pod and by
 * every workload that carries a pod template (Deployment, ReplicaSet), plus
 * label selectors, which those workloads use to find their pods.
 */
import type { KObject } from '../kind.js';
import { duplicate, forbidden, invalid, notSupported, required, type Cause } from './field-errors.js';
import { dns1123Label, dns1123Subdomain, labels, labelValue, qualifiedName } from './names.js';
import { isValidIP, parseCIDR } from './ip.js';
import { portNameProblems } from './ports.js';
import { validateAffinity } from './affinity.js';
import { deepEqual } from '../deep-equal.js';
import { validateLabelSelector } from '../label-selector-schema.js';
import { tryLabelSelectorFromObject, type LabelSelector, type LabelSelectorObject } from '../selectors/label-selector.js';
import {
  addQuantities, canonicalizeResourceList, canonicalQuantity, compareQuantities, formatQuantity, isNegative, parseQuantity,
  QUANTITY_SYNTAX_MESSAGE, type Quantity,
} from './quantity.js';

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

export const isObject = (v: unknown): v is KObject => !!v && typeof v === 'object' && !Array.isArray(v);
const listOf = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const entriesOf = (v: unknown): Array<[string, unknown]> => (isObject(v) ? Object.entries(v) : []);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export const NON_NEGATIVE = 'must be greater than or equal to 0';
export const inclusiveRange = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;
const MAX_INT32 = 2147483647;
const FILE_MODE = 'must be a number between 0 and 0777 (octal), both inclusive';
const ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MESSAGE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** A reference to something that does not exist (a volume mount naming no volume). */
export const notFound = (field: string, value: unknown): Cause =>
  ({ reason: 'FieldValueNotFound', field, message: `${field}: Not found: ${JSON.stringify(value)}` });

/** Keeps the first cause reported for each field, so a 422 lists every field once. */
export function firstPerField(causes: Cause[]): Cause[] {
  const seen = new Set<string>();
  return causes.filter((c) => (seen.has(c.field) ? false : (seen.add(c.field), true)));
}

/** The first reason `name` is not an IANA service name (named ports: `http`, `metrics-2`). */
const portNameProblem = (name: string): string | undefined => portNameProblems(name)[0];

const portNumberProblem = (n: unknown): string | undefined =>
  (isInt(n) && n >= 1 && n <= 65535 ? undefined : inclusiveRange(1, 65535));

function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'environment variable name must be non-empty';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code > 0x7e || ch === '=') return ENV_NAME;
  }
  return undefined;
}

/** A port given as a number or as an IANA name (probes, services). */
function validatePortNumOrName(port: unknown, field: string, causes: Cause[]): void {
  if (typeof port === 'number') {
    const bad = portNumberProblem(port);
    if (bad) causes.push(invalid(field, port, bad));
  } else if (typeof port === 'string') {
    if (port === '') causes.push(required(field));
    else if (/^[0-9]+$/.test(port)) {
      // kubectl sends numeric strings for int-or-string ports now and then.
      const bad = portNumberProblem(Number(port));
      if (bad) causes.push(invalid(field, Number(port), bad));
    } else {
      const bad = portNameProblem(port);
      if (bad) causes.push(invalid(field, port, bad));
    }
  } else {
    causes.push(required(field));
  }
}

function nonNegative(value: unknown, field: string, causes: Cause[]): void {
  if (isInt(value) && value < 0) causes.push(invalid(field, value, NON_NEGATIVE));
}

/** A relative path that stays below its root: subPath, key-to-path items. */
function validateLocalPath(path: string, field: string, causes: Cause[], nonReserved = false): void {
  if (path.startsWith('/')) {
    causes.push(invalid(field, path, 'must be a relative path'));
    return;
  }
  if (path.split('/').includes('..')) {
    causes.push(invalid(field, path, "must not contain '..'"));
    return;
  }
  if (nonReserved && path.startsWith('..')) causes.push(invalid(field, path, "must not start with '..'"));
}

// ---------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------

export { validateLabelSelector };

/** The selector a metav1.LabelSelector stands for; undefined when it cannot be built. */
export function selectorOf(selector: unknown): LabelSelector | undefined {
  return tryLabelSelectorFromObject(isObject(selector) ? (selector as LabelSelectorObject) : undefined);
}

export function isEmptySelector(selector: unknown): boolean {
  return !isObject(selector) || (entriesOf(selector.matchLabels).length === 0 && listOf(selector.matchExpressions).length === 0);
}

/** Does a label selector select these labels? An empty selector selects everything, a missing one nothing. */
export function labelSelectorMatches(selector: unknown, objLabels: Record<string, string> | undefined): boolean {
  return selectorOf(selector)?.matches(objLabels) ?? false;
}

/**
 * A label selector as kube-apiserver prints it: requirements sorted by key,
 * set values sorted, `app=web,tier in (a,b)`; empty for an empty selector.
 */
export function formatLabelSelector(selector: unknown): string {
  return selectorOf(selector)?.toString() ?? '';
}

// ---------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------

const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_PART}(?:/${PATH_PART})*` +
  '(?::([\\w][\\w.-]{0,127}))?' +
  '(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/**
 * The pull policy Kubernetes picks when none is given: Always for `:latest`
 * or an untagged, undigested image, IfNotPresent otherwise (and for
 * references that do not parse).
 */
export function imagePullPolicyFor(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string') return 'IfNotPresent';
  const m = IMAGE_REFERENCE.exec(image);
  if (!m) return 'IfNotPresent';
  const [, tag, digest] = m;
  const effective = tag ?? (digest ? '' : 'latest');
  return effective === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(h: unknown): void {
  if (!isObject(h)) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHttpGet(p.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isObject(ref) && !ref.apiVersion) ref.apiVersion = 'v1';
}

function defaultResourceFieldRef(ref: unknown): void {
  if (!isObject(ref)) return;
  // A zero divisor is printed as "0" by Kubernetes, so it always shows up.
  ref.divisor = canonicalQuantity(ref.divisor ?? '0') ?? ref.divisor;
}

/** Container defaults: pull policy, termination message, port protocols, probe timings. */
export function defaultContainer(c: unknown): void {
  if (!isObject(c)) return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imagePullPolicyFor(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  if (!isObject(c.resources)) c.resources = {};
  canonicalizeResourceList(c.resources.limits);
  canonicalizeResourceList(c.resources.requests);
  for (const port of listOf(c.ports)) {
    if (isObject(port) && !port.protocol) port.protocol = 'TCP';
  }
  for (const env of listOf(c.env)) {
    if (!isObject(env?.valueFrom)) continue;
    defaultFieldRef(env.valueFrom.fieldRef);
    defaultResourceFieldRef(env.valueFrom.resourceFieldRef);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObject(c.lifecycle)) {
    defaultHttpGet(c.lifecycle.postStart?.httpGet);
    defaultHttpGet(c.lifecycle.preStop?.httpGet);
  }
}

/** Every volume source a Volume may name; exactly one is set. */
export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultDownwardItems(items: unknown): void {
  for (const item of listOf(items)) {
    if (!isObject(item)) continue;
    defaultFieldRef(item.fieldRef);
    defaultResourceFieldRef(item.resourceFieldRef);
  }
}

function defaultVolume(v: unknown): void {
  if (!isObject(v)) return;
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (isObject(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit) ?? v.emptyDir.sizeLimit;
  }
  if (isObject(v.hostPath)) v.hostPath.type ??= '';
  if (isObject(v.secret)) v.secret.defaultMode ??= 0o644;
  if (isObject(v.configMap)) v.configMap.defaultMode ??= 0o644;
  if (isObject(v.downwardAPI)) {
    v.downwardAPI.defaultMode ??= 0o644;
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (isObject(v.projected)) {
    v.projected.defaultMode ??= 0o644;
    for (const s of listOf(v.projected.sources)) {
      if (!isObject(s)) continue;
      if (isObject(s.serviceAccountToken)) s.serviceAccountToken.expirationSeconds ??= 3600;
      if (isObject(s.downwardAPI)) defaultDownwardItems(s.downwardAPI.items);
    }
  }
}

/**
 * The defaults Kubernetes gives any PodSpec, in a Pod or in a pod template:
 * policies, grace period, scheduler, security context, container and volume
 * defaults. Pod-only defaults (requests from limits, enableServiceLinks) are
 * in {@link defaultPodOnlyFields}.
 */
export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // serviceAccount is the deprecated spelling of serviceAccountName; the two are kept equal.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
  for (const v of listOf(spec.volumes)) defaultVolume(v);
  for (const c of listOf(spec.initContainers)) defaultContainer(c);
  for (const c of listOf(spec.containers)) defaultContainer(c);
  for (const c of listOf(spec.ephemeralContainers)) defaultContainer(c);
  canonicalizeResourceList(spec.overhead);
  if (isObject(spec.resources)) {
    canonicalizeResourceList(spec.resources.limits);
    canonicalizeResourceList(spec.resources.requests);
  }
}

/** Defaults Kubernetes applies to a Pod's spec but not to pod templates. */
export function defaultPodOnlyFields(spec: unknown): void {
  if (!isObject(spec)) return;
  for (const c of [...listOf(spec.containers), ...listOf(spec.initContainers)]) {
    if (!isObject(c) || !isObject(c.resources) || !isObject(c.resources.limits)) continue;
    if (!isObject(c.resources.requests)) c.resources.requests = {};
    for (const [name, value] of Object.entries(c.resources.limits)) {
      if (!(name in c.resources.requests)) c.resources.requests[name] = value;
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...listOf(spec.containers), ...listOf(spec.initContainers)]) {
      for (const port of listOf(c?.ports)) {
        if (isObject(port) && !port.hostPort && isInt(port.containerPort)) port.hostPort = port.containerPort;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// QoS class
// ---------------------------------------------------------------------------

/** The QoS class the kubelet will treat the pod with, from cpu and memory requests and limits. */
export function podQOSClass(spec: unknown): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const s = isObject(spec) ? spec : {};
  for (const c of [...listOf(s.containers), ...listOf(s.initContainers)]) {
    const res = isObject(c?.resources) ? c.resources : {};
    const lim = isObject(res.limits) ? res.limits : {};
    // Requests not given default to limits on a Pod; count them that way even before defaulting.
    const req = { ...lim, ...(isObject(res.requests) ? res.requests : {}) };
    for (const [name, raw] of Object.entries(req)) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (!q || q.value <= 0n) continue;
      const prev = requests.get(name);
      requests.set(name, prev ? addQuantities(prev, q) : q);
    }
    const found = new Set<string>();
    for (const [name, raw] of Object.entries(lim)) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (!q || q.value <= 0n) continue;
      found.add(name);
      const prev = limits.get(name);
      limits.set(name, prev ? addQuantities(prev, q) : q);
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

export interface PodSpecValidationOptions {
  /** Checks only a Pod gets, not a pod template (image whitespace, ephemeral containers on create). */
  pod?: boolean;
  /**
   * On update, the spec being replaced. Scheduling constraints it already
   * had are not checked again: objects stored before Skiff validated them
   * must stay updatable (their status, their finalizers).
   */
  old?: unknown;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Unprefixed resource names any resource list may use (node capacity, quotas). */
const STANDARD_RESOURCES = new Set([
  ...STANDARD_CONTAINER_RESOURCES, 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'storage', 'services.nodeports', 'services.loadbalancers', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'requests.storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

/** Resources that may be requested below their limit (not hugepages, not extended resources). */
const overcommitAllowed = (name: string): boolean =>
  (!name.includes('/') || name.includes('kubernetes.io/')) && !name.startsWith('hugepages-');

function validateResourceName(name: string, field: string, causes: Cause[], forContainers: boolean): boolean {
  if (!name.includes('/')) {
    const standard = forContainers
      ? STANDARD_CONTAINER_RESOURCES.has(name)
      : STANDARD_RESOURCES.has(name) || name.startsWith('attachable-volumes-');
    if (!standard && !name.startsWith('hugepages-')) {
      causes.push(invalid(field, name, forContainers ? 'must be a standard resource for containers' : 'must be a standard resource type or fully qualified'));
      return false;
    }
    return true;
  }
  const bad = qualifiedName(field, name);
  causes.push(...bad);
  return bad.length === 0;
}

function quantityOrCause(raw: unknown, field: string, causes: Cause[]): Quantity | undefined {
  const q = parseQuantity(raw);
  if (!q) {
    causes.push(invalid(field, raw, QUANTITY_SYNTAX_MESSAGE));
    return undefined;
  }
  if (isNegative(q)) {
    causes.push(invalid(field, formatQuantity(q), NON_NEGATIVE));
    return undefined;
  }
  return q;
}

/** A resource list (limits, requests, overhead, node capacity): names and non-negative quantities. */
export function validateResourceList(listValue: unknown, field: string, forContainers = false): Cause[] {
  const causes: Cause[] = [];
  for (const [name, raw] of entriesOf(listValue)) {
    const f = `${field}[${name}]`;
    if (validateResourceName(name, f, causes, forContainers)) quantityOrCause(raw, f, causes);
  }
  return causes;
}

/** Limits and requests of one container: quantities parse, requests stay within limits. */
export function validateResourceRequirements(res: unknown, field: string, causes: Cause[]): void {
  if (!isObject(res)) return;
  const limits = new Map<string, Quantity>();
  for (const [name, raw] of entriesOf(res.limits)) {
    const f = `${field}.limits[${name}]`;
    if (!validateResourceName(name, f, causes, true)) continue;
    const q = quantityOrCause(raw, f, causes);
    if (q) limits.set(name, q);
  }
  for (const [name, raw] of entriesOf(res.requests)) {
    const f = `${field}.requests[${name}]`;
    if (!validateResourceName(name, f, causes, true)) continue;
    const q = quantityOrCause(raw, f, causes);
    if (!q) continue;
    const lim = limits.get(name);
    if (lim) {
      if (!overcommitAllowed(name) && compareQuantities(q, lim) !== 0) {
        causes.push(invalid(`${field}.requests`, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
      } else if (compareQuantities(q, lim) > 0) {
        causes.push(invalid(`${field}.requests`, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!overcommitAllowed(name) && !(isObject(res.limits) && name in res.limits)) {
      causes.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
}

function validateKeyToPaths(items: unknown, field: string, causes: Cause[]): void {
  listOf(items).forEach((item: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!item?.key) causes.push(required(`${p}.key`));
    if (!item?.path) causes.push(required(`${p}.path`));
    else validateLocalPath(String(item.path), `${p}.path`, causes, true);
    if (item?.mode !== undefined && (!isInt(item.mode) || item.mode < 0 || item.mode > 0o777)) causes.push(invalid(`${p}.mode`, item.mode, FILE_MODE));
  });
}

function validateFileMode(mode: unknown, field: string, causes: Cause[]): void {
  if (mode !== undefined && mode !== null && (!isInt(mode) || mode < 0 || mode > 0o777)) causes.push(invalid(field, mode, FILE_MODE));
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateVolumes(volumes: unknown, field: string, causes: Cause[]): Set<string> {
  const names = new Set<string>();
  listOf(volumes).forEach((v: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(v)) {
      causes.push(required(`${p}.name`));
      return;
    }
    if (!v.name) causes.push(required(`${p}.name`));
    else if (typeof v.name === 'string') {
      const bad = dns1123Label(`${p}.name`, v.name);
      if (bad.length) causes.push(...bad);
      else if (names.has(v.name)) causes.push(duplicate(`${p}.name`, v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((k) => v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) causes.push(required(p, 'must specify a volume type'));
    if (sources.length > 1) causes.push(forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (isObject(v.hostPath)) {
      const hp = `${p}.hostPath`;
      if (!v.hostPath.path) causes.push(required(`${hp}.path`));
      else if (String(v.hostPath.path).split('/').includes('..')) causes.push(invalid(`${hp}.path`, v.hostPath.path, "must not contain '..'"));
      if (v.hostPath.type !== undefined && v.hostPath.type !== null && !HOST_PATH_TYPES.includes(v.hostPath.type)) {
        causes.push(notSupported(`${hp}.type`, v.hostPath.type, HOST_PATH_TYPES));
      }
    }
    if (isObject(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
      const q = parseQuantity(v.emptyDir.sizeLimit);
      if (!q) causes.push(invalid(`${p}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, QUANTITY_SYNTAX_MESSAGE));
      else if (isNegative(q)) causes.push(forbidden(`${p}.emptyDir.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
    }
    if (isObject(v.secret)) {
      if (!v.secret.secretName) causes.push(required(`${p}.secret.secretName`));
      validateFileMode(v.secret.defaultMode, `${p}.secret.defaultMode`, causes);
      validateKeyToPaths(v.secret.items, `${p}.secret.items`, causes);
    }
    if (isObject(v.configMap)) {
      if (!v.configMap.name) causes.push(required(`${p}.configMap.name`));
      validateFileMode(v.configMap.defaultMode, `${p}.configMap.defaultMode`, causes);
      validateKeyToPaths(v.configMap.items, `${p}.configMap.items`, causes);
    }
    if (isObject(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) {
      causes.push(required(`${p}.persistentVolumeClaim.claimName`));
    }
    if (isObject(v.nfs)) {
      if (!v.nfs.server) causes.push(required(`${p}.nfs.server`));
      if (!v.nfs.path) causes.push(required(`${p}.nfs.path`));
      else if (!String(v.nfs.path).startsWith('/')) causes.push(invalid(`${p}.nfs.path`, v.nfs.path, 'must be an absolute path'));
    }
    if (isObject(v.downwardAPI)) validateFileMode(v.downwardAPI.defaultMode, `${p}.downwardAPI.defaultMode`, causes);
    if (isObject(v.projected)) validateFileMode(v.projected.defaultMode, `${p}.projected.defaultMode`, causes);
  });
  return names;
}

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const ENV_RESOURCE_PATHS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];

function validateFieldRef(ref: KObject, field: string, causes: Cause[]): void {
  if (!ref.apiVersion) {
    causes.push(required(`${field}.apiVersion`));
    return;
  }
  if (!ref.fieldPath) {
    causes.push(required(`${field}.fieldPath`));
    return;
  }
  const path = String(ref.fieldPath);
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path) ?? /^([^[]+)\[/.exec(path);
  if (sub) {
    if (sub[1] === 'metadata.labels') causes.push(...qualifiedName(field, sub[2]));
    else if (sub[1] === 'metadata.annotations') causes.push(...qualifiedName(field, sub[2].toLowerCase()));
    else causes.push(invalid(field, sub[1], 'does not support subscript'));
    return;
  }
  if (!ENV_FIELD_PATHS.includes(path)) causes.push(notSupported(`${field}.fieldPath`, path, ENV_FIELD_PATHS));
}

function validateKeySelector(ref: KObject, field: string, causes: Cause[]): void {
  if (!ref.name) causes.push(required(`${field}.name`));
  else if (typeof ref.name === 'string') causes.push(...dns1123Subdomain(`${field}.name`, ref.name));
  if (!ref.key) causes.push(required(`${field}.key`));
  else if (typeof ref.key === 'string' && (!CONFIG_KEY.test(ref.key) || ref.key.length > 253 || ref.key === '.' || ref.key === '..')) {
    causes.push(invalid(`${field}.key`, ref.key, CONFIG_KEY_MESSAGE));
  }
}

function validateEnv(env: unknown, field: string, causes: Cause[]): void {
  listOf(env).forEach((e: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(e) || !e.name) {
      causes.push(required(`${p}.name`));
    } else {
      const bad = envNameProblem(String(e.name));
      if (bad) causes.push(invalid(`${p}.name`, e.name, bad));
    }
    if (!isObject(e?.valueFrom)) return;
    const vf = e.valueFrom;
    const vp = `${p}.valueFrom`;
    let sources = 0;
    if (isObject(vf.fieldRef)) {
      sources++;
      validateFieldRef(vf.fieldRef, `${vp}.fieldRef`, causes);
    }
    if (isObject(vf.resourceFieldRef)) {
      sources++;
      const r = vf.resourceFieldRef;
      if (!r.resource) causes.push(required(`${vp}.resourceFieldRef.resource`));
      else if (!ENV_RESOURCE_PATHS.includes(r.resource) && !/^(limits|requests)\.hugepages-/.test(r.resource)) {
        causes.push(notSupported(`${vp}.resourceFieldRef.resource`, r.resource, ENV_RESOURCE_PATHS));
      }
    }
    if (isObject(vf.configMapKeyRef)) {
      sources++;
      validateKeySelector(vf.configMapKeyRef, `${vp}.configMapKeyRef`, causes);
    }
    if (isObject(vf.secretKeyRef)) {
      sources++;
      validateKeySelector(vf.secretKeyRef, `${vp}.secretKeyRef`, causes);
    }
    if (sources === 0) causes.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (e.value) causes.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) causes.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
}

function validateEnvFrom(envFrom: unknown, field: string, causes: Cause[]): void {
  listOf(envFrom).forEach((e: KObject, i) => {
    const p = `${field}[${i}]`;
    if (isObject(e) && e.prefix) {
      const bad = envNameProblem(String(e.prefix));
      if (bad) causes.push(invalid(`${p}.prefix`, e.prefix, bad));
    }
    let sources = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      const ref = e?.[key];
      if (!isObject(ref)) continue;
      sources++;
      if (!ref.name) causes.push(required(`${p}.${key}.name`));
      else if (typeof ref.name === 'string') causes.push(...dns1123Subdomain(`${p}.${key}.name`, ref.name));
    }
    if (sources === 0) causes.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) causes.push(invalid(field, '', 'may not have more than one field specified at a time'));
  });
}

function validatePorts(ports: unknown, field: string, causes: Cause[]): void {
  const names = new Set<string>();
  listOf(ports).forEach((port: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(port)) {
      causes.push(required(`${p}.containerPort`));
      return;
    }
    if (typeof port.name === 'string' && port.name) {
      const bad = portNameProblem(port.name);
      if (bad) causes.push(invalid(`${p}.name`, port.name, bad));
      else if (names.has(port.name)) causes.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) causes.push(required(`${p}.containerPort`));
    else {
      const bad = portNumberProblem(port.containerPort);
      if (bad) causes.push(invalid(`${p}.containerPort`, port.containerPort, bad));
    }
    if (port.hostPort) {
      const bad = portNumberProblem(port.hostPort);
      if (bad) causes.push(invalid(`${p}.hostPort`, port.hostPort, bad));
    }
    if (!port.protocol) causes.push(required(`${p}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) causes.push(notSupported(`${p}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
  });
}

function validateVolumeMounts(mounts: unknown, field: string, volumes: Set<string>, privileged: boolean, causes: Cause[]): void {
  const paths = new Set<string>();
  listOf(mounts).forEach((m: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(m)) {
      causes.push(required(`${p}.name`));
      return;
    }
    if (!m.name) causes.push(required(`${p}.name`));
    else if (!volumes.has(m.name)) causes.push(notFound(`${p}.name`, m.name));
    if (!m.mountPath) causes.push(required(`${p}.mountPath`));
    else if (paths.has(m.mountPath)) causes.push(invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    if (m.mountPath) paths.add(m.mountPath);
    if (m.subPath && m.subPathExpr) causes.push(invalid(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    if (typeof m.subPath === 'string' && m.subPath) validateLocalPath(m.subPath, `${p}.subPath`, causes);
    if (typeof m.subPathExpr === 'string' && m.subPathExpr) validateLocalPath(m.subPathExpr, `${p}.subPathExpr`, causes);
    if (m.mountPropagation !== undefined && m.mountPropagation !== null) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation)) causes.push(notSupported(`${p}.mountPropagation`, m.mountPropagation, supported));
      else if (m.mountPropagation === 'Bidirectional' && !privileged) {
        causes.push(forbidden(`${p}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
}

/** A probe or lifecycle hook: exactly one handler, each handler well formed. */
function validateHandler(handler: KObject, field: string, kinds: string[], causes: Cause[]): void {
  const set = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (set.length === 0) {
    causes.push(required(field, 'must specify a handler type'));
    return;
  }
  for (const extra of set.slice(1)) causes.push(forbidden(`${field}.${extra}`, 'may not specify more than 1 handler type'));
  const kind = set[0];
  const h = handler[kind];
  const p = `${field}.${kind}`;
  if (!isObject(h)) return;
  switch (kind) {
    case 'exec':
      if (listOf(h.command).length === 0) causes.push(required(`${p}.command`));
      break;
    case 'httpGet':
      if (!h.path) causes.push(required(`${p}.path`));
      validatePortNumOrName(h.port, `${p}.port`, causes);
      if (h.scheme && !['HTTP', 'HTTPS'].includes(h.scheme)) causes.push(notSupported(`${p}.scheme`, h.scheme, ['HTTP', 'HTTPS']));
      listOf(h.httpHeaders).forEach((hdr: KObject, i) => {
        if (!hdr?.name || !/^[-A-Za-z0-9]+$/.test(String(hdr.name))) {
          causes.push(invalid(`${p}.httpHeaders[${i}].name`, hdr?.name ?? '', "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name',  regex used for validation is '[-A-Za-z0-9]+')"));
        }
      });
      break;
    case 'tcpSocket':
      validatePortNumOrName(h.port, `${p}.port`, causes);
      break;
    case 'grpc': {
      const bad = portNumberProblem(h.port);
      if (bad) causes.push(invalid(`${p}.port`, h.port ?? 0, bad));
      break;
    }
    case 'sleep':
      if (!isInt(h.seconds) || h.seconds < 0) causes.push(invalid(`${p}.seconds`, h.seconds ?? 0, NON_NEGATIVE));
      break;
  }
}

function validateProbe(probe: unknown, field: string, kind: 'liveness' | 'readiness' | 'startup', causes: Cause[]): void {
  if (!isObject(probe)) return;
  validateHandler(probe, field, ['exec', 'httpGet', 'tcpSocket', 'grpc'], causes);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    nonNegative(probe[k], `${field}.${k}`, causes);
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
    if (kind === 'readiness') causes.push(invalid(`${field}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    else if (!isInt(probe.terminationGracePeriodSeconds) || probe.terminationGracePeriodSeconds <= 0) {
      causes.push(invalid(`${field}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
    }
  }
  if ((kind === 'liveness' || kind === 'startup') && isInt(probe.successThreshold) && probe.successThreshold !== 1) {
    causes.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
}

function validateLifecycle(lifecycle: unknown, field: string, causes: Cause[]): void {
  if (!isObject(lifecycle)) return;
  for (const hook of ['postStart', 'preStop']) {
    if (isObject(lifecycle[hook])) validateHandler(lifecycle[hook], `${field}.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep'], causes);
  }
}

interface ContainerContext {
  kind: 'container' | 'init';
  volumes: Set<string>;
  opts: PodSpecValidationOptions;
}

function validateContainer(c: KObject, p: string, ctx: ContainerContext, causes: Cause[]): void {
  if (typeof c.image !== 'string' || c.image === '') causes.push(required(`${p}.image`));
  else if (ctx.opts.pod && c.image.trim() !== c.image) causes.push(invalid(`${p}.image`, c.image, 'must not have leading or trailing whitespace'));

  const restartable = ctx.kind === 'init' && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    if (ctx.kind === 'container') causes.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') causes.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  if (ctx.kind === 'init' && !restartable) {
    for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[k] !== undefined && c[k] !== null) causes.push(forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
    }
  } else {
    validateLifecycle(c.lifecycle, `${p}.lifecycle`, causes);
    validateProbe(c.livenessProbe, `${p}.livenessProbe`, 'liveness', causes);
    validateProbe(c.readinessProbe, `${p}.readinessProbe`, 'readiness', causes);
    validateProbe(c.startupProbe, `${p}.startupProbe`, 'startup', causes);
  }

  validatePorts(c.ports, `${p}.ports`, causes);
  validateEnv(c.env, `${p}.env`, causes);
  validateEnvFrom(c.envFrom, `${p}.envFrom`, causes);
  validateVolumeMounts(c.volumeMounts, `${p}.volumeMounts`, ctx.volumes, c.securityContext?.privileged === true, causes);
  validateResourceRequirements(c.resources, `${p}.resources`, causes);

  const pull = c.imagePullPolicy;
  if (pull === undefined || pull === null || pull === '') causes.push(required(`${p}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) causes.push(notSupported(`${p}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));

  const tmp = c.terminationMessagePolicy;
  if (tmp === undefined || tmp === null || tmp === '') causes.push(required(`${p}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  else if (!['File', 'FallbackToLogsOnError'].includes(tmp)) causes.push(notSupported(`${p}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
}

function validateContainerList(spec: KObject, p: string, volumes: Set<string>, opts: PodSpecValidationOptions, causes: Cause[]): void {
  const containers = listOf(spec.containers);
  if (containers.length === 0) causes.push(required(`${p}.containers`));
  const names = new Set<string>();
  const check = (list: any[], key: 'containers' | 'initContainers', kind: ContainerContext['kind']) => {
    list.forEach((c: KObject, i) => {
      const cp = `${p}.${key}[${i}]`;
      if (!isObject(c)) {
        causes.push(required(`${cp}.name`));
        return;
      }
      if (!c.name) causes.push(required(`${cp}.name`));
      else if (typeof c.name === 'string') {
        const bad = dns1123Label(`${cp}.name`, c.name);
        if (bad.length) causes.push(...bad);
        else if (names.has(c.name)) causes.push(duplicate(`${cp}.name`, c.name));
        names.add(c.name);
      }
      validateContainer(c, cp, { kind, volumes, opts }, causes);
    });
  };
  // Regular containers first, so a clash is reported on the init container, as Kubernetes does.
  check(containers, 'containers', 'container');
  check(listOf(spec.initContainers), 'initContainers', 'init');

  for (const key of ['containers', 'initContainers'] as const) {
    const seen = new Set<string>();
    listOf(spec[key]).forEach((c: KObject, i) => {
      listOf(c?.ports).forEach((port: KObject, j) => {
        if (!port?.hostPort) return;
        const k = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
        if (seen.has(k)) causes.push(duplicate(`${p}.${key}[${i}].ports[${j}].hostPort`, k));
        seen.add(k);
        if (spec.hostNetwork === true && port.hostPort !== port.containerPort) {
          causes.push(invalid(`${p}.${key}[${i}].ports[${j}].containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      });
    });
  }
}

/** Taint and toleration effects. */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: unknown, field: string): Cause[] {
  const causes: Cause[] = [];
  listOf(tolerations).forEach((t: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(t)) return;
    if (t.key) causes.push(...qualifiedName(`${p}.key`, String(t.key)));
    if (!t.key && t.operator !== 'Exists') {
      causes.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      causes.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '':
        causes.push(...labelValue(`${p}.operator`, String(t.value ?? '')));
        break;
      case 'Exists':
        if (t.value) causes.push(invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        causes.push(notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) causes.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return causes;
}

/** A pod CIDR or similar: an IP range in CIDR notation. */
export const isCIDR = (s: unknown): boolean => typeof s === 'string' && parseCIDR(s) !== undefined;

function validateDNS(spec: KObject, p: string, causes: Cause[]): void {
  const policies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!spec.dnsPolicy) causes.push(required(`${p}.dnsPolicy`));
  else if (!policies.includes(spec.dnsPolicy)) causes.push(notSupported(`${p}.dnsPolicy`, spec.dnsPolicy, policies));
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None' && !isObject(cfg)) {
    causes.push(required(`${p}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
    return;
  }
  if (!isObject(cfg)) return;
  const ns = listOf(cfg.nameservers);
  if (spec.dnsPolicy === 'None' && ns.length === 0) causes.push(required(`${p}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  if (ns.length > 3) causes.push(invalid(`${p}.dnsConfig.nameservers`, ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => {
    if (!isValidIP(n)) causes.push(invalid(`${p}.dnsConfig.nameservers[${i}]`, n, 'must be valid IP address'));
  });
  const searches = listOf(cfg.searches);
  if (searches.length > 32) causes.push(invalid(`${p}.dnsConfig.searches`, searches, 'must not have more than 32 search paths'));
  searches.forEach((s, i) => {
    if (typeof s === 'string' && s !== '.') causes.push(...dns1123Subdomain(`${p}.dnsConfig.searches[${i}]`, s.replace(/\.$/, '')));
  });
  listOf(cfg.options).forEach((o: KObject, i) => {
    if (!o?.name) causes.push(required(`${p}.dnsConfig.options[${i}]`, 'Option.Name must not be empty'));
  });
}

function validateTopologySpread(constraints: unknown, field: string, causes: Cause[]): void {
  const seen = new Set<string>();
  listOf(constraints).forEach((c: KObject, i) => {
    const p = `${field}[${i}]`;
    if (!isObject(c)) return;
    if (!isInt(c.maxSkew) || c.maxSkew <= 0) causes.push(invalid(`${p}.maxSkew`, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) causes.push(required(`${p}.topologyKey`, 'can not be empty'));
    else causes.push(...qualifiedName(`${p}.topologyKey`, String(c.topologyKey)));
    const modes = ['DoNotSchedule', 'ScheduleAnyway'];
    if (!modes.includes(c.whenUnsatisfiable)) causes.push(notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', modes));
    const key = `${c.topologyKey}/${c.whenUnsatisfiable}`;
    if (seen.has(key)) causes.push(duplicate(`${p}`, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(key);
    if (c.labelSelector !== undefined) causes.push(...validateLabelSelector(`${p}.labelSelector`, c.labelSelector));
  });
}

/**
 * Semantic checks of a PodSpec, with `fieldPrefix` naming where it sits:
 * `spec` for a Pod, `spec.template.spec` for a workload's template.
 */
export function validatePodSpec(spec: unknown, fieldPrefix: string, opts: PodSpecValidationOptions = {}): Cause[] {
  const p = fieldPrefix;
  if (!isObject(spec)) return [required(`${p}.containers`)];
  const causes: Cause[] = [];
  const volumes = validateVolumes(spec.volumes, `${p}.volumes`, causes);
  validateContainerList(spec, p, volumes, opts, causes);

  if (opts.pod && listOf(spec.ephemeralContainers).length > 0) causes.push(forbidden(`${p}.ephemeralContainers`, 'cannot be set on create'));

  const policies = ['Always', 'OnFailure', 'Never'];
  if (!spec.restartPolicy) causes.push(required(`${p}.restartPolicy`));
  else if (!policies.includes(spec.restartPolicy)) causes.push(notSupported(`${p}.restartPolicy`, spec.restartPolicy, policies));

  validateDNS(spec, p, causes);
  causes.push(...labels(`${p}.nodeSelector`, spec.nodeSelector));
  if (!(isObject(opts.old) && deepEqual(spec.affinity, opts.old.affinity))) causes.push(...validateAffinity(spec.affinity, `${p}.affinity`));

  for (const key of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    if (typeof spec[key] === 'string' && spec[key]) causes.push(...dns1123Subdomain(`${p}.${key}`, spec[key]));
  }
  for (const key of ['hostname', 'subdomain']) {
    if (typeof spec[key] === 'string' && spec[key]) causes.push(...dns1123Label(`${p}.${key}`, spec[key]));
  }

  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (!isInt(ads) || ads < 1 || ads > MAX_INT32)) {
    causes.push(invalid(`${p}.activeDeadlineSeconds`, ads, inclusiveRange(1, MAX_INT32)));
  }
  nonNegative(spec.terminationGracePeriodSeconds, `${p}.terminationGracePeriodSeconds`, causes);

  causes.push(...validateTolerations(spec.tolerations, `${p}.tolerations`));

  listOf(spec.readinessGates).forEach((g: KObject, i) => {
    causes.push(...qualifiedName(`${p}.readinessGates[${i}].conditionType`, String(g?.conditionType ?? '')));
  });

  const gates = new Set<string>();
  listOf(spec.schedulingGates).forEach((g: KObject, i) => {
    const name = String(g?.name ?? '');
    const bad = qualifiedName(`${p}.schedulingGates[${i}].name`, name);
    if (bad.length) causes.push(...bad);
    else if (gates.has(name)) causes.push(duplicate(`${p}.schedulingGates[${i}]`, name));
    gates.add(name);
  });

  causes.push(...validateResourceList(spec.overhead, `${p}.overhead`));
  if (isObject(spec.resources)) validateResourceRequirements(spec.resources, `${p}.resources`, causes);

  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && !['Never', 'PreemptLowerPriority'].includes(spec.preemptionPolicy)) {
    causes.push(notSupported(`${p}.preemptionPolicy`, spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  validateTopologySpread(spec.topologySpreadConstraints, `${p}.topologySpreadConstraints`, causes);
  return causes;
}

// ---------------------------------------------------------------------------
// Pod updates
// ---------------------------------------------------------------------------

/** Go-style semantic equality: absent, null, "", 0, false, [] and {} are all the zero value. */
function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.values(v).every(isZeroValue);
  return false;
}

/** Paths (up to `limit`) at which two values differ, each with old and new values. */
function differences(a: unknown, b: unknown, path: string, out: string[], limit = 8): void {
  if (out.length >= limit) return;
  if (isZeroValue(a) && isZeroValue(b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(`${path}: ${a.length} items -> ${b.length} items`);
      return;
    }
    a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out, limit));
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], `${path}.${k}`, out, limit);
    return;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
}

const IMMUTABLE_POD_SPEC = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function sameToleration(a: KObject, b: KObject): boolean {
  const strip = ({ tolerationSeconds: _ignored, ...rest }: KObject) => rest;
  const x = strip(a);
  const y = strip(b);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].every((k) => (isZeroValue(x[k]) && isZeroValue(y[k])) || x[k] === y[k]);
}

/**
 * What may change in a running Pod's spec: container images, a shorter
 * activeDeadlineSeconds, added tolerations, removed scheduling gates.
 * Anything else is one Forbidden cause on `spec`.
 */
export function validatePodSpecUpdate(spec: unknown, old: unknown, p = 'spec'): Cause[] {
  const next: KObject = isObject(spec) ? spec : {};
  const prev: KObject = isObject(old) ? old : {};
  const causes: Cause[] = [];
  for (const key of ['containers', 'initContainers']) {
    const a = listOf(next[key]);
    const b = listOf(prev[key]);
    if (a.length !== b.length) return [forbidden(`${p}.${key}`, 'pod updates may not add or remove containers')];
    a.forEach((c: KObject, i) => {
      if (!c?.image) causes.push(required(`${p}.${key}[${i}].image`));
    });
  }

  const ads = next.activeDeadlineSeconds;
  const oldAds = prev.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (!isInt(ads) || ads < 0 || ads > MAX_INT32) return [...causes, invalid(`${p}.activeDeadlineSeconds`, ads, inclusiveRange(0, MAX_INT32))];
    if (isInt(oldAds) && oldAds < ads) return [...causes, invalid(`${p}.activeDeadlineSeconds`, ads, 'must be less than or equal to previous value')];
  } else if (oldAds !== undefined && oldAds !== null) {
    causes.push(invalid(`${p}.activeDeadlineSeconds`, null, 'must not update from a positive integer to nil value'));
  }

  const newTolerations = listOf(next.tolerations);
  for (const t of listOf(prev.tolerations)) {
    if (!newTolerations.some((n) => isObject(n) && isObject(t) && sameToleration(t, n))) {
      causes.push(forbidden(`${p}.tolerations`, 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }

  const oldGates = listOf(prev.schedulingGates).map((g: KObject) => g?.name);
  const added = listOf(next.schedulingGates).map((g: KObject) => g?.name).find((n) => !oldGates.includes(n));
  if (added !== undefined) causes.push(forbidden(`${p}.schedulingGates`, `only deletion is allowed, but found new scheduling gate '${added}'`));

  const munged: KObject = structuredClone(next);
  for (const key of ['containers', 'initContainers']) {
    listOf(munged[key]).forEach((c: KObject, i) => {
      if (isObject(c)) c.image = listOf(prev[key])[i]?.image;
    });
  }
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  if (added === undefined) munged.schedulingGates = prev.schedulingGates;
  if (isInt(prev.terminationGracePeriodSeconds) && prev.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  const diffs: string[] = [];
  differences(prev, munged, p, diffs);
  if (diffs.length) causes.push(forbidden(p, `${IMMUTABLE_POD_SPEC}\n${diffs.map((d) => `  ${d}`).join('\n')}`));
  return causes;
}
