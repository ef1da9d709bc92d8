import { join } from 'node:path';

/** Where one worker's containerd keeps everything; two workers on one host never share a path. */
export interface ContainerdLayout {
  /** The worker's folder: root, state, runc state, CNI configuration and host-local leases all live under it. */
  dir: string;
  /** The CRI socket (unix socket paths must stay under 108 bytes: keep `dir` short). */
  socket: string;
  sandboxImage: string;
  /** A registry reachable from the worker, e.g. 10.0.255.10:5000, pulled from over plain HTTP. */
  registry?: string;
}

export const containerdSocket = (dir: string) => join(dir, 'containerd.sock');

/** The CNI configuration containerd renders once the agent passes the node's pod range through UpdateRuntimeConfig. */
export const CNI_TEMPLATE_FILE = 'cni-template.json';

/**
 * containerd's configuration for a worker: its CRI plugin with runc, the
 * sandbox image from the local registry, CNI's bridge plugin on the pod
 * range the agent hands it, per-worker state everywhere containerd would
 * otherwise share it (runc's root, the opt plugin, sandbox network
 * namespaces), and the restrictions this machine needs (no
 * CAP_SYS_RESOURCE: oom_score_adj may only be raised). The CRI streaming
 * server listens on the worker's loopback, where only its agent reaches it.
 */
export function containerdConfig(l: ContainerdLayout, cni: { confDir: string; template?: string }): string {
  return [
    'version = 2',
    `root = "${l.dir}/root"`,
    `state = "${l.dir}/state"`,
    '[grpc]', `  address = "${l.socket}"`,
    '[ttrpc]', `  address = "${l.socket}.ttrpc"`,
    '[plugins."io.containerd.internal.v1.opt"]', `  path = "${l.dir}/opt"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = "${l.sandboxImage}"`,
    '  restrict_oom_score_adj = true',
    '  netns_mounts_under_state_dir = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '[plugins."io.containerd.grpc.v1.cri".containerd]',
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '  runtime_type = "io.containerd.runc.v2"',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '  BinaryName = "/usr/sbin/runc"',
    `  Root = "${l.dir}/runc"`,
    '  SystemdCgroup = false',
    '[plugins."io.containerd.grpc.v1.cri".cni]',
    '  bin_dir = "/usr/lib/cni"',
    `  conf_dir = "${cni.confDir}"`,
    ...(cni.template ? [`  conf_template = "${cni.template}"`] : []),
    ...(l.registry ? ['[plugins."io.containerd.grpc.v1.cri".registry]', `  config_path = "${l.dir}/certs.d"`] : []),
    '',
  ].join('\n');
}

/** The registry's hosts.toml (under certs.d/<host>/): plain HTTP, pull and resolve. */
export const registryHosts = (registry: string) => `server = "http://${registry}"\n\n[host."http://${registry}"]\n  capabilities = ["pull", "resolve"]\n`;

/**
 * The pod network of a worker: CNI's bridge plugin (cni0 in the worker's
 * namespace, its address their default route; hairpin so a pod reaches itself
 * through its Service) with host-local addresses from `podCidr`, which is
 * containerd's `{{.PodCIDR}}` in the template form.
 */
export function cniConflist(podCidr: string, ipamDir: string): string {
  return JSON.stringify({
    cniVersion: '0.4.0', name: 'skiff',
    plugins: [
      { type: 'bridge', bridge: 'cni0', isGateway: true, isDefaultGateway: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], dataDir: ipamDir } },
      { type: 'loopback' },
    ],
  }, null, 2);
}
