import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { stopOnSignals } from '../../component-base/component.js';
import { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { parseTypedFlags } from '../../component-base/flags.js';

const FLAGS = {
  count: 'int', zones: 'list', kubeconfig: 'string', 'name-prefix': 'string', cpu: 'string', memory: 'string', 'max-pods': 'int',
  'pod-cidr': 'string', 'keep-nodes': 'bool', 'kube-api-qps': 'int', 'kube-api-burst': 'int',
} as const;

/** `skiff simulate-nodes --count N`: runs simulated nodes until SIGTERM or Ctrl-C. */
export async function simulateNodesCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  if (flags.count === undefined) throw new Error('--count is required');
  if (flags.count < 1) throw new Error('--count must be at least 1');
  const client = new RestClient(loadKubeconfig({ path: flags.kubeconfig }), { qps: flags['kube-api-qps'] ?? 0, burst: flags['kube-api-burst'] ?? 1 });
  const nodes = new SimulatedNodes(client, {
    count: flags.count, zones: flags.zones, namePrefix: flags['name-prefix'], cpu: flags.cpu, memory: flags.memory,
    pods: flags['max-pods'] === undefined ? undefined : String(flags['max-pods']), podCidr: flags['pod-cidr'], keepNodes: flags['keep-nodes'],
  });
  const signal = stopOnSignals('simulate-nodes');
  await nodes.start();
  process.stdout.write(`${nodes.nodes.length} simulated nodes registered (${nodes.nodes[0].name} ... ${nodes.nodes.at(-1)!.name}); Ctrl-C removes them\n`);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await nodes.stop();
  client.close();
}
