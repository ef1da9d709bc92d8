import test from 'ava';
import { staleUdpFlows } from './conntrack.js';
import type { Endpoint, ServicePort } from './service-port.js';

const ep = (ip: string): Endpoint => ({ ip, port: 53, ready: true, serving: true, terminating: false, local: false });
const dns = (endpoints: Endpoint[], extra: Partial<ServicePort> = {}): ServicePort => ({
  id: 'kube-system/kube-dns/udp/dns', namespace: 'kube-system', name: 'kube-dns', portName: 'dns', protocol: 'udp', clusterIP: '10.96.0.10', port: 53,
  externalIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, endpoints, ...extra,
});

test('flows to an endpoint no longer used are forgotten, for the cluster IP and the NodePort', (t) => {
  t.deepEqual(staleUdpFlows([dns([ep('10.244.1.5'), ep('10.244.2.7')], { nodePort: 30053 })], [dns([ep('10.244.2.7')], { nodePort: 30053 })]), [
    ['-p', 'udp', '--orig-dst', '10.96.0.10', '--dst-nat', '10.244.1.5'],
    ['-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.244.1.5'],
  ]);
});

test('a Service that gets its first endpoint forgets the flows it rejected, and a deleted Service its endpoints\' flows', (t) => {
  t.deepEqual(staleUdpFlows([dns([])], [dns([ep('10.244.1.5')])]), [['-p', 'udp', '--orig-dst', '10.96.0.10']]);
  t.deepEqual(staleUdpFlows([dns([ep('10.244.1.5')])], []), [['-p', 'udp', '--orig-dst', '10.96.0.10', '--dst-nat', '10.244.1.5']]);
});

test('TCP flows and unchanged endpoints are left alone', (t) => {
  t.deepEqual(staleUdpFlows([dns([ep('10.244.1.5')])], [dns([ep('10.244.1.5')])]), []);
  const tcp = dns([ep('10.244.1.5')], { protocol: 'tcp', id: 'kube-system/kube-dns/tcp/dns-tcp' });
  t.deepEqual(staleUdpFlows([tcp], [{ ...tcp, endpoints: [] }]), []);
});
