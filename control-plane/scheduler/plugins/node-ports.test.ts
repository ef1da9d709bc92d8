import test from 'ava';
import { nodeInfo, nodeObject, podObject, runFilter } from '../../../test/scheduler/fixtures.js';
import { nodePorts } from './node-ports.js';

const withPort = (name: string, port: number, extra: Record<string, unknown> = {}, nodeName?: string) => podObject(name, {
  nodeName, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: port, ...extra }] }] },
});

test('a host port taken on the node rejects it; 0.0.0.0 clashes with any address, other protocols do not', (t) => {
  const nodes = [
    nodeInfo(nodeObject('any'), [withPort('a', 8080, {}, 'any')]),
    nodeInfo(nodeObject('ip'), [withPort('b', 8080, { hostIP: '10.0.0.1' }, 'ip')]),
    nodeInfo(nodeObject('udp'), [withPort('c', 8080, { protocol: 'UDP' }, 'udp')]),
  ];
  const rejected = { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"] };
  t.deepEqual(runFilter(nodePorts(), withPort('p', 8080), nodes).byNode, { any: rejected, ip: rejected, udp: undefined });
  t.deepEqual(runFilter(nodePorts(), withPort('q', 8080, { hostIP: '10.0.0.2' }), nodes).byNode, { any: rejected, ip: undefined, udp: undefined });
  t.is(runFilter(nodePorts(), podObject('none'), nodes).preFilter, 'skip');
});
