import type { Kind, KObject } from '../kind.js';
import { nodeCondition } from '../node-status.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, bool, free, int32, int64, keyedList, map, named, obj, quantity, str, time, type Schema } from '../schema.js';
import { duplicate, forbidden, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Subdomain, labelValue, qualifiedName } from '../validation/names.js';
import { canonicalizeResourceList } from '../validation/quantity.js';
import { firstPerField, isCIDR, isObject, TAINT_EFFECTS, validateResourceList } from '../validation/pod-spec.js';

const core = (name: string, schema: Schema): Schema => named(`io.k8s.api.core.v1.${name}`, schema);
const atomicList = (items: Schema, description: string): Schema => arr(items, { description, listType: 'atomic' });

export const taintSchema = core('Taint', obj({
  key: str('Taint key.'),
  value: str('Taint value.'),
  effect: str('What happens to pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute.'),
  timeAdded: time('When a NoExecute taint was added.'),
}, { required: ['key', 'effect'], description: 'Marks a node so that pods without a matching toleration stay away.' }));

const nodeConditionSchema = core('NodeCondition', obj({
  type: str('Condition type: Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.'),
  status: str('True, False or Unknown.'),
  lastHeartbeatTime: time('When the condition was last reported.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the node\'s state.' }));

const nodeAddress = core('NodeAddress', obj({
  type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
  address: str('The address.'),
}, { required: ['type', 'address'], description: 'An address of the node.' }));

const nodeSystemInfo = core('NodeSystemInfo', obj({
  machineID: str('Machine ID reported by the node.'),
  systemUUID: str('System UUID reported by the node.'),
  bootID: str('Boot ID reported by the node.'),
  kernelVersion: str('Kernel version (uname -r).'),
  osImage: str('OS image (from /etc/os-release).'),
  containerRuntimeVersion: str('Container runtime and version, e.g. containerd://1.7.0.'),
  kubeletVersion: str('Kubelet version.'),
  kubeProxyVersion: str('Deprecated: kube-proxy version.'),
  operatingSystem: str('Operating system, e.g. linux.'),
  architecture: str('CPU architecture, e.g. amd64 or arm64.'),
  swap: obj({ capacity: int64('Swap size in bytes.') }, { description: 'Swap memory of the node.' }),
}, { description: 'Identifying information about the node.' }));

const quantityMap = (description: string): Schema => map(quantity(), description);

export const node: Kind = {
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node',
  shortNames: ['no'], namespaced: false,
  subresources: { status: true },
  schema: core('Node', obj({
    ...typeMeta,
    spec: core('NodeSpec', obj({
      podCIDR: str('Pod IP range of the node; the first of podCIDRs.'),
      podCIDRs: arr(str(), { description: 'Pod IP ranges of the node, at most one per IP family.', patchStrategy: 'merge', listType: 'set' }),
      providerID: str('Cloud provider ID of the node, <provider>://<id>.'),
      unschedulable: bool('Keep new pods off the node (kubectl cordon).'),
      taints: atomicList(taintSchema, 'Taints of the node.'),
      configSource: free('Deprecated; ignored.'),
      externalID: str('Deprecated; ignored.'),
    }, { description: 'The desired state of a node.' })),
    status: core('NodeStatus', obj({
      capacity: quantityMap('Total resources of the node.'),
      allocatable: quantityMap('Resources available to pods; capacity by default.'),
      phase: str('Deprecated: the node\'s lifecycle phase.'),
      conditions: keyedList(nodeConditionSchema, 'type', 'Current conditions of the node.'),
      addresses: keyedList(nodeAddress, 'type', 'Addresses of the node.'),
      daemonEndpoints: core('NodeDaemonEndpoints', obj({
        kubeletEndpoint: core('DaemonEndpoint', obj({ Port: int32('Port number.') }, { required: ['Port'], description: 'A port a node daemon listens on.' })),
      }, { description: 'Ports of daemons running on the node.' })),
      nodeInfo: nodeSystemInfo,
      images: atomicList(core('ContainerImage', obj({
        names: atomicList(str(), 'Names of the image.'),
        sizeBytes: int64('Size of the image in bytes.'),
      }, { description: 'A container image present on the node.' })), 'Images present on the node.'),
      volumesInUse: atomicList(str(), 'Attachable volumes in use (mounted) by the node.'),
      volumesAttached: atomicList(core('AttachedVolume', obj({
        name: str('Name of the attached volume.'),
        devicePath: str('Device path the volume is attached at.'),
      }, { required: ['name', 'devicePath'], description: 'A volume attached to the node.' })), 'Volumes attached to the node.'),
      config: free('Deprecated; status of dynamic kubelet config.'),
      runtimeHandlers: atomicList(free('A runtime handler.'), 'Runtime handlers available on the node.'),
      features: obj({ supplementalGroupsPolicy: bool('Whether SupplementalGroupsPolicy is supported.') }, { description: 'Features the node supports.' }),
    }, { description: 'The observed state of a node.' })),
  }, { description: 'A worker machine pods run on.', gvk: { group: '', version: 'v1', kind: 'Node' } })),

  nameRule: dns1123Subdomain,

  defaults(n) {
    if (!isObject(n.spec)) n.spec = {};
    // podCIDR is the first of podCIDRs; either spelling fills the other.
    const cidrs = Array.isArray(n.spec.podCIDRs) ? n.spec.podCIDRs : [];
    if (cidrs.length === 0 && typeof n.spec.podCIDR === 'string' && n.spec.podCIDR) n.spec.podCIDRs = [n.spec.podCIDR];
    else if (cidrs.length > 0) n.spec.podCIDR = cidrs[0];
    if (isObject(n.status)) {
      canonicalizeResourceList(n.status.capacity);
      canonicalizeResourceList(n.status.allocatable);
      if (!isObject(n.status.allocatable) && isObject(n.status.capacity)) n.status.allocatable = { ...n.status.capacity };
    }
  },

  // A node registers itself with its status filled in, so create keeps status.
  prepareForCreate() {},

  validate(n, old) {
    const causes: Cause[] = [];
    const spec: KObject = isObject(n.spec) ? n.spec : {};
    const cidrs: unknown[] = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
    cidrs.forEach((c, i) => {
      if (!isCIDR(c)) causes.push(invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    });
    if (cidrs.length > 2) causes.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    else if (cidrs.length === 2 && cidrs.every(isCIDR) && String(cidrs[0]).includes(':') === String(cidrs[1]).includes(':')) {
      causes.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    }

    const seen = new Set<string>();
    (Array.isArray(spec.taints) ? spec.taints : []).forEach((t: KObject, i: number) => {
      const p = `spec.taints[${i}]`;
      if (!isObject(t)) return;
      causes.push(...qualifiedName(`${p}.key`, String(t.key ?? '')));
      if (typeof t.value === 'string' && t.value) causes.push(...labelValue(`${p}.value`, t.value));
      if (!t.effect) causes.push(required(`${p}.effect`));
      else if (!TAINT_EFFECTS.includes(t.effect)) causes.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
      const key = `${t.key}:${t.effect}`;
      if (seen.has(key)) causes.push(duplicate(p, { key: t.key, effect: t.effect }));
      seen.add(key);
    });

    if (isObject(n.status)) {
      causes.push(...validateResourceList(n.status.capacity, 'status.capacity'));
      causes.push(...validateResourceList(n.status.allocatable, 'status.allocatable'));
    }

    if (old) {
      const before: string[] = Array.isArray(old.spec?.podCIDRs) ? old.spec.podCIDRs : [];
      if (before.length > 0 && JSON.stringify(before) !== JSON.stringify(cidrs)) {
        causes.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
      }
      if (old.spec?.providerID && old.spec.providerID !== spec.providerID) {
        causes.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
      }
    }
    return firstPerField(causes);
  },

  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', priority: 0, description: 'Readiness of the node, and whether it takes new pods.', cell: nodeStatus },
    { name: 'Roles', type: 'string', priority: 0, description: 'Roles of the node, from its node-role.kubernetes.io labels.', cell: (o) => nodeRoles(o).join(',') || '<none>' },
    ageColumn,
    { name: 'Version', type: 'string', priority: 0, description: 'Kubelet version of the node.', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'First internal IP of the node.', cell: (o) => nodeAddressOf(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: 'First external IP of the node.', cell: (o) => nodeAddressOf(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'Operating system image of the node.', cell: (o) => o.status?.nodeInfo?.osImage || '<unknown>' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: 'Kernel version of the node.', cell: (o) => o.status?.nodeInfo?.kernelVersion || '<unknown>' },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'Container runtime and version of the node.', cell: (o) => o.status?.nodeInfo?.containerRuntimeVersion || '<unknown>' },
  ],

  fields: {
    'spec.unschedulable': (o) => String(o.spec?.unschedulable === true),
  },
};

/** Ready, NotReady or Unknown, with `,SchedulingDisabled` for a cordoned node. */
export function nodeStatus(n: KObject): string {
  const parts: string[] = [];
  const ready = nodeCondition(n.status, 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (n.spec?.unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(n: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((n.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddressOf(n: KObject, type: string): string {
  const found = (n.status?.addresses ?? []).find((a: KObject) => a?.type === type);
  return found?.address || '<none>';
}
