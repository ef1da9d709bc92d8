/**
 * The command lines of the control-plane roles, built in one place so every
 * way of starting them (skiff up here, the instances' boot units later) runs
 * them the same way.
 */

import { formatAddress, parseCidr } from '../api/net.js';
import { DEFAULTS } from '../control-plane/apiserver/options.js';

/** The pod network the node IPAM controller hands out node ranges from. */
export const CLUSTER_CIDR = '10.244.0.0/16';
/** The cluster's DNS domain, the one Kubernetes clusters use. */
export const CLUSTER_DOMAIN = 'cluster.local';
/** The kube-dns Service's address: the tenth of the service range, as kubeadm gives it. */
export const CLUSTER_DNS_IP = formatAddress(parseCidr(DEFAULTS.serviceClusterIPRange).base + 10n, 4);

export interface ComponentEndpoint {
  kubeconfig: string;
  /** Where /healthz, /readyz and /metrics listen. */
  bindAddress: string;
  securePort: number;
}

/** The API server: etcd over TLS with a client certificate, client certificates from the cluster CA, Node and RBAC authorization, audit, secrets encrypted. */
export function apiserverArgs(c: {
  etcdUrl: string; etcdCAFile: string; etcdCertFile: string; etcdKeyFile: string;
  bindAddress: string; advertiseAddress?: string; securePort: number; certDir: string; clientCAFile: string; auditLogPath: string; encryptionConfig: string;
  /** The cluster's NATS, where the agents answer logs and exec: its URL, CA, and the control plane's password file. */
  nats?: { url: string; caFile: string; passwordFile: string };
}): string[] {
  return [
    'apiserver', `--etcd-servers=${c.etcdUrl}`, `--etcd-cafile=${c.etcdCAFile}`, `--etcd-certfile=${c.etcdCertFile}`, `--etcd-keyfile=${c.etcdKeyFile}`,
    `--bind-address=${c.bindAddress}`, ...(c.advertiseAddress ? [`--advertise-address=${c.advertiseAddress}`] : []), `--secure-port=${c.securePort}`, `--cert-dir=${c.certDir}`,
    `--client-ca-file=${c.clientCAFile}`, '--enable-bootstrap-token-auth', '--authorization-mode=Node,RBAC',
    `--service-cluster-ip-range=${DEFAULTS.serviceClusterIPRange}`,
    `--audit-log-path=${c.auditLogPath}`, `--encryption-provider-config=${c.encryptionConfig}`,
    ...(c.nats ? [`--nats-servers=${c.nats.url}`, `--nats-ca-file=${c.nats.caFile}`, '--nats-user=control-plane', `--nats-password-file=${c.nats.passwordFile}`] : []),
  ];
}

/** The controller-manager: the cluster CA signs approved CSRs and is the root CA published to every namespace for pods. */
export function controllerManagerArgs(c: ComponentEndpoint & { signingCertFile: string; signingKeyFile: string; rootCaFile: string }): string[] {
  return [
    'controller-manager', `--kubeconfig=${c.kubeconfig}`, '--leader-elect=true',
    `--bind-address=${c.bindAddress}`, `--secure-port=${c.securePort}`,
    `--cluster-signing-cert-file=${c.signingCertFile}`, `--cluster-signing-key-file=${c.signingKeyFile}`, `--root-ca-file=${c.rootCaFile}`,
    '--allocate-node-cidrs=true', `--cluster-cidr=${CLUSTER_CIDR}`, `--service-cluster-ip-range=${DEFAULTS.serviceClusterIPRange}`,
  ];
}

export function schedulerArgs(c: ComponentEndpoint): string[] {
  return ['scheduler', `--kubeconfig=${c.kubeconfig}`, '--leader-elect=true', `--bind-address=${c.bindAddress}`, `--secure-port=${c.securePort}`];
}

/**
 * The cloud-controller-manager: the cluster's tag, routes for the node ranges
 * the controller-manager hands out, and ten Services synced at once (kube's
 * default of one makes a hundred new load balancers wait in line).
 */
export function cloudControllerManagerArgs(c: ComponentEndpoint & { clusterName: string }): string[] {
  return [
    'cloud-controller-manager', '--cloud-provider=aws', `--cluster-name=${c.clusterName}`, `--kubeconfig=${c.kubeconfig}`, '--leader-elect=true',
    `--bind-address=${c.bindAddress}`, `--secure-port=${c.securePort}`, '--configure-cloud-routes=true', `--cluster-cidr=${CLUSTER_CIDR}`,
    '--concurrent-service-syncs=10',
  ];
}

/**
 * Cluster DNS on a master: served on the master's address, registered
 * behind kube-dns (CLUSTER_DNS_IP) with that address, so the nodes'
 * proxies send pods' queries there.
 */
export function dnsArgs(c: ComponentEndpoint & { advertiseAddress: string; port: number }): string[] {
  return [
    'dns', `--kubeconfig=${c.kubeconfig}`, `--cluster-domain=${CLUSTER_DOMAIN}`, `--bind-address=${c.bindAddress}`, `--port=${c.port}`,
    `--advertise-address=${c.advertiseAddress}`, `--service-ip=${CLUSTER_DNS_IP}`, `--secure-port=${c.securePort}`,
  ];
}
