import { isIP } from 'node:net';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { stopOnSignals } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { DNS_COMPONENT, runDns } from '../../dns/run-dns.js';
import { parseUpstream } from '../../dns/upstream.js';

const FLAGS = {
  kubeconfig: 'string', 'kube-api-qps': 'int', 'kube-api-burst': 'int',
  'bind-address': 'string', port: 'int', 'cluster-domain': 'string', upstream: 'list',
  'advertise-address': 'string', 'service-ip': 'string',
  'secure-port': 'int', 'tls-cert-file': 'string', 'tls-private-key-file': 'string',
} as const;

const validPort = (port: number, flag: string): number => {
  if (!(port >= 0 && port <= 65535)) throw new Error(`invalid --${flag} ${port}`);
  return port;
};

/**
 * `skiff dns --kubeconfig=PATH [--upstream=IP[:PORT],...] [--advertise-address=IP --service-ip=IP]`:
 * the cluster DNS add-on, until SIGTERM.
 */
export async function dnsCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  const advertise = flags['advertise-address'];
  const serviceIP = flags['service-ip'];
  if (!advertise !== !serviceIP) throw new Error('--advertise-address and --service-ip go together: the server registers itself behind kube-dns with both');
  if (advertise && !isIP(advertise)) throw new Error(`invalid --advertise-address ${JSON.stringify(advertise)}: want an IP address`);
  if (serviceIP && !isIP(serviceIP)) throw new Error(`invalid --service-ip ${JSON.stringify(serviceIP)}: want an IP address`);
  const bindAddress = flags['bind-address'] ?? '0.0.0.0';
  const config = loadKubeconfig({ path: flags.kubeconfig });
  await runDns(config, stopOnSignals('dns'), {
    clusterDomain: flags['cluster-domain'] ?? 'cluster.local',
    bindAddress,
    port: validPort(flags.port ?? 53, 'port'),
    upstreams: (flags.upstream ?? []).map(parseUpstream),
    registration: advertise && serviceIP ? { advertiseAddress: advertise, serviceIP } : undefined,
    component: {
      qps: flags['kube-api-qps'] ?? DNS_COMPONENT.qps,
      burst: flags['kube-api-burst'] ?? DNS_COMPONENT.burst,
      serving: { bindAddress, securePort: validPort(flags['secure-port'] ?? DNS_COMPONENT.securePort, 'secure-port'), tlsCertFile: flags['tls-cert-file'], tlsPrivateKeyFile: flags['tls-private-key-file'] },
    },
  });
}
