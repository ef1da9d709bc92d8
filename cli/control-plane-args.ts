/**
 * The command lines of the control-plane roles, built in one place so every
 * way of starting them (skiff up here, the instances' boot units later) runs
 * them the same way.
 */

/** The pod network the node IPAM controller hands out node ranges from, and the Service range. */
export const CLUSTER_CIDR = '10.244.0.0/16';
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';

export interface ComponentEndpoint {
  kubeconfig: string;
  /** Where /healthz, /readyz and /metrics listen. */
  bindAddress: string;
  securePort: number;
}

export function controllerManagerArgs(c: ComponentEndpoint & { signingCertFile: string; signingKeyFile: string }): string[] {
  return [
    'controller-manager', `--kubeconfig=${c.kubeconfig}`, '--leader-elect=true',
    `--bind-address=${c.bindAddress}`, `--secure-port=${c.securePort}`,
    `--cluster-signing-cert-file=${c.signingCertFile}`, `--cluster-signing-key-file=${c.signingKeyFile}`,
    '--allocate-node-cidrs=true', `--cluster-cidr=${CLUSTER_CIDR}`, `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
  ];
}

export function schedulerArgs(c: ComponentEndpoint): string[] {
  return ['scheduler', `--kubeconfig=${c.kubeconfig}`, '--leader-elect=true', `--bind-address=${c.bindAddress}`, `--secure-port=${c.securePort}`];
}
