const USAGE = `usage: skiff <command> [flags]

commands:
  up [--detach] [--workers=2]
                         start the local cluster (etcd, API server, controller-manager, scheduler, cloud-controller-manager,
                         NATS; the AWS endpoint: AWS_ENDPOINT_URL, else moto's server on 127.0.0.1:4566) and write its
                         kubeconfig; each worker is an instance in the endpoint, run here as a network namespace with
                         the instance's address, its own containerd and node agent
  down                   stop everything 'up' started and delete what it made in the AWS endpoint
  status [-o json]       list the components and their endpoints, the AWS endpoint among them
  kubeconfig [--path]    print the admin kubeconfig (or its path)
  apiserver [flags]      run the API server (kube-apiserver's flag names)
  controller-manager --kubeconfig=PATH [--controllers=*,-name] [--leader-elect=false] [--secure-port=10257]
                 [--allocate-node-cidrs --cluster-cidr=CIDR] [--cluster-signing-cert-file=F --cluster-signing-key-file=F] [...]
                         run the controllers with kube-controller-manager's flags: replicaset, deployment, endpoints,
                         endpointslice, garbage collector, node lifecycle, node IPAM, pod GC, volume binding,
                         namespace, service account, CSR approving and signing (see the README for every flag)
  scheduler --kubeconfig=PATH [--leader-elect=false] [--secure-port=10259] [--kube-api-qps=1000 --kube-api-burst=2000]
                         run the scheduler (kube-scheduler's flags; the client rate defaults are high for throughput)
  cloud-controller-manager --cloud-provider=aws --cluster-name=NAME --kubeconfig=PATH [--region=R] [--controllers=*,-name]
                 [--leader-elect=false] [--secure-port=10258] [--configure-cloud-routes --cluster-cidr=CIDR]
                         nodes, routes, load balancers (NLB) and EBS volumes reconciled against the AWS APIs; the endpoint
                         comes from the SDK's configuration (AWS_ENDPOINT_URL), the region from --region, AWS_REGION or IMDS
  node-agent --kubeconfig=PATH [--bootstrap-kubeconfig=PATH] --container-runtime-endpoint=unix:///PATH
                 [--cloud-provider=external] [--provider-id=ID] [--node-ip=IP] [--hostname-override=N] [--node-labels=k=v,...]
                 [--register-with-taints=k=v:Effect,...] [--max-pods=110] [--root-dir=DIR] [--device-dir=/dev]
                 [--kube-api-qps=50 --kube-api-burst=100] [--address=0.0.0.0 --port=10250]
                 [--nats-servers=URL --nats-ca-file=F --nats-password-file=F]
                         the kubelet's role on a worker (its flag names): registers the Node, renews its Lease, keeps its
                         conditions, runs the pods bound to it through CRI, and answers logs, exec, attach and
                         port-forward over NATS
  proxy --kubeconfig=PATH [--hostname-override=N] [--cluster-cidr=CIDR] [--nodeport-addresses=primary|CIDR,...]
                 [--sync-period=30s] [--min-sync-period=1s] [--healthz-bind-address=0.0.0.0:10256]
                 [--metrics-bind-address=127.0.0.1:10249] [--cleanup]
                         kube-proxy's role on a node (its flag names, nftables mode): cluster IPs, NodePorts and load
                         balancer addresses forwarded to ready endpoints by one nftables table in the node's namespace
  dns --kubeconfig=PATH [--cluster-domain=cluster.local] [--upstream=IP[:PORT],...] [--bind-address=0.0.0.0 --port=53]
                 [--advertise-address=IP --service-ip=IP] [--secure-port=9153]
                         the cluster DNS add-on: answers the cluster domain from Services and EndpointSlices (CoreDNS's
                         kubernetes plugin's records), forwards other names upstream (none: REFUSED); with
                         --advertise-address and --service-ip it keeps kube-system/kube-dns and its own slice of it
  vpc-router --cluster-name=N --vpc-id=ID --vpc-cidr=CIDR --subnets=A,B [--region=R] [--period=2s]
                         the local VPC's router (skiff up starts it): applies the cluster's route table in the AWS
                         endpoint to the network namespace that links the local workers
  ebs-devices --volumes-dir=DIR --device-root=DIR [--region=R] [--period=1s]
                         the local workers' EBS devices (skiff up starts it): a volume the AWS endpoint attaches to a
                         local worker's instance becomes a loop device on a file per volume, linked under its device
                         name in DIR/<instance-id>, the worker's /dev; the loop device goes on detach, the file with the volume
  token create [--ttl=24h] [--kubeconfig=PATH]
                         make a bootstrap token for joining a node
  join --server=URL --ca-file=F --token=ID.SECRET [--node-name=N] --kubeconfig-out=F
                         get a node's own credential with a bootstrap token
  simulate-nodes --count N [--zones a,b,c] [--kubeconfig PATH] [--name-prefix P] [--cpu 32] [--memory 256Gi]
                 [--max-pods 110] [--pod-cidr CIDR] [--keep-nodes] [--aws [--cluster-name NAME]]
                         a TEST TOOL in the spirit of kwok: registers N nodes with no machine behind them,
                         renews their Leases, reports pods bound to them Running and Ready with an IP from
                         the node's podCIDR, and finishes their deletion; removes the nodes on Ctrl-C. With --aws
                         each node is backed by an instance launched in the cluster's subnets in the AWS endpoint and
                         registers as a --cloud-provider=external agent; the instances are terminated on Ctrl-C

'skiff <command> --help' prints that command's part of this.`;

type Command = (argv: string[]) => Promise<void>;

const commands: Record<string, () => Promise<Command>> = {
  apiserver: async () => (await import('./commands/apiserver.js')).apiserverCommand,
  'controller-manager': async () => (await import('./commands/controller-manager.js')).controllerManagerCommand,
  scheduler: async () => (await import('./commands/scheduler.js')).schedulerCommand,
  'cloud-controller-manager': async () => (await import('./commands/cloud-controller-manager.js')).cloudControllerManagerCommand,
  'node-agent': async () => (await import('./commands/node-agent.js')).nodeAgentCommand,
  proxy: async () => (await import('./commands/proxy.js')).proxyCommand,
  dns: async () => (await import('./commands/dns.js')).dnsCommand,
  'vpc-router': async () => (await import('./commands/vpc-router.js')).vpcRouterCommand,
  'ebs-devices': async () => (await import('./commands/ebs-devices.js')).ebsDevicesCommand,
  up: async () => (await import('./commands/up.js')).upCommand,
  down: async () => (await import('./commands/down.js')).downCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  kubeconfig: async () => (await import('./commands/kubeconfig.js')).kubeconfigCommand,
  token: async () => (await import('./commands/token.js')).tokenCommand,
  join: async () => (await import('./commands/join.js')).joinCommand,
  'simulate-nodes': async () => (await import('./commands/simulate-nodes.js')).simulateNodesCommand,
};

/** One command's lines of the usage text. */
function usageOf(name: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${name} `) || l === `  ${name}`);
  if (start < 0) return USAGE;
  let end = start + 1;
  while (end < lines.length && /^ {3,}/.test(lines[end])) end++;
  return `usage: skiff ${lines.slice(start, end).map((l, i) => (i === 0 ? l.trim() : l)).join('\n')}`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name && commands[name] && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(usageOf(name) + '\n');
    return;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`skiff: unknown command "${name}"\n${USAGE}\n`);
    process.exit(2);
  }
  await (await load())(rest);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`skiff: ${(err as Error).message}\n`);
  process.exit(1);
});
