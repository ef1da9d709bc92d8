import test from 'ava';
import { isProxied, servicePorts, usableEndpoints } from './service-port.js';

const svc = (spec: Record<string, unknown>, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels }, spec: { clusterIP: '10.96.0.5', ...spec },
});
const slice = (endpoints: unknown[], ports: unknown[] = [{ name: 'http', port: 8080, protocol: 'TCP' }], addressType = 'IPv4') => ({
  metadata: { name: `web-${Math.random()}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } }, addressType, endpoints, ports,
});

test('headless, ExternalName and another proxy\'s Services are not programmed', (t) => {
  t.false(isProxied(svc({ clusterIP: 'None' })));
  t.false(isProxied(svc({ type: 'ExternalName', externalName: 'example.com', clusterIP: '' })));
  t.false(isProxied(svc({}, { 'service.kubernetes.io/service-proxy-name': 'other' })));
  t.true(isProxied(svc({})));
});

test('a port\'s endpoints come from every slice of the Service, matched by port name and protocol, once per address', (t) => {
  const [port] = servicePorts(svc({ ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }), [
    slice([{ addresses: ['10.244.1.5'], conditions: { ready: true }, nodeName: 'n1' }, { addresses: ['10.244.2.7'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'n2' }]),
    slice([{ addresses: ['10.244.1.5'], conditions: { ready: true }, nodeName: 'n1' }]),
    slice([{ addresses: ['10.244.3.3'] }], [{ name: 'http', port: 8080, protocol: 'UDP' }]),
    slice([{ addresses: ['fd00::5'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }], 'IPv6'),
  ], 'n1');
  t.is(port.id, 'shop/web/tcp/http');
  t.deepEqual(port.endpoints.map((e) => [e.ip, e.ready, e.terminating, e.local]), [['10.244.1.5', true, false, true], ['10.244.2.7', false, true, false]]);
  t.deepEqual(usableEndpoints(port.endpoints).map((e) => e.ip), ['10.244.1.5']);
});

test('NodePorts, load balancer addresses, affinity and traffic policies are read as kube-proxy reads them', (t) => {
  const [port] = servicePorts({
    ...svc({
      type: 'LoadBalancer', ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }], externalTrafficPolicy: 'Local', healthCheckNodePort: 32000,
      internalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', externalIPs: ['192.0.2.9'],
    }),
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.4' }, { hostname: 'nlb.example.com' }] } },
  }, [], 'n1');
  t.like(port, {
    id: 'shop/web/udp/53', protocol: 'udp', nodePort: 30053, externalPolicyLocal: true, internalPolicyLocal: true,
    healthCheckNodePort: 32000, affinitySeconds: 10800,
  });
  t.deepEqual(port.externalIPs, ['192.0.2.9', '198.51.100.4']);
  const [plain] = servicePorts(svc({ ports: [{ port: 80, nodePort: 30080 }] }), [], 'n1');
  t.is(plain.nodePort, undefined, 'a ClusterIP Service answers on no NodePort even if one is set');
});
