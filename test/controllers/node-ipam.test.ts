import test from 'ava';
import { runControllerManager } from '../../controllers/controller-manager.js';
import type { ControllerManagerOptions } from '../../controllers/controller.js';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, identityConfig, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
let stopControllers: (() => Promise<unknown>) | undefined;

// Eight /24 blocks, of which the service range takes one.
const IPAM: Partial<ControllerManagerOptions> = {
  controllers: ['nodeipam'], allocateNodeCidrs: true, clusterCidr: '10.244.0.0/21', nodeCidrMaskSize: 24, serviceClusterIpRange: '10.244.2.0/24',
};

/** Runs the controller-manager in this process as system:kube-controller-manager, until the answered function stops it. */
async function startControllers(): Promise<() => Promise<unknown>> {
  const config = await identityConfig(cluster, 'system:kube-controller-manager');
  const abort = new AbortController();
  const running = runControllerManager(config, abort.signal, IPAM);
  return () => {
    abort.abort();
    return running;
  };
}

const createNode = (name: string, spec: Record<string, unknown> = {}) => client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec });
const podCidrOf = async (name: string): Promise<string | undefined> => (await client.get(NODES, name)).spec?.podCIDR;
const allocated = (name: string) => eventually(`a podCIDR for ${name}`, () => podCidrOf(name));

async function cidrsByNode(): Promise<Map<string, string>> {
  const nodes = (await client.list(NODES)).items;
  return new Map(nodes.filter((n) => n.spec?.podCIDR).map((n) => [n.metadata.name!, n.spec.podCIDR]));
}

async function cidrNotAvailable(name: string): Promise<AnyObject | undefined> {
  const events = (await client.list(EVENTS, { namespace: 'default' })).items;
  return events.find((e) => e.involvedObject.name === name && e.reason === 'CIDRNotAvailable');
}

test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  stopControllers = await startControllers();
});

test.after.always(async () => {
  await stopControllers?.();
  client?.close();
  await cluster?.stop();
});

test.serial('every node gets its own block of the cluster CIDR, never one the service range overlaps', async (t) => {
  const names = Array.from({ length: 7 }, (_, i) => `node-${i}`);
  await Promise.all(names.map((n) => createNode(n)));
  const cidrs = await Promise.all(names.map(allocated));
  t.is(new Set(cidrs).size, 7, 'blocks are distinct');
  t.false(cidrs.includes('10.244.2.0/24'), 'the service range is skipped');
  for (const cidr of cidrs) t.regex(cidr, /^10\.244\.[0-7]\.0\/24$/);
  const node = await client.get(NODES, 'node-0');
  t.deepEqual(node.spec.podCIDRs, [node.spec.podCIDR], 'podCIDRs holds the same block');
});

test.serial('podCIDR is set once: changing it is refused', async (t) => {
  const node = await client.get(NODES, 'node-0');
  const err = await t.throwsAsync(client.patch(NODES, 'node-0', 'merge', { spec: { podCIDR: '10.9.0.0/24', podCIDRs: ['10.9.0.0/24'] } }));
  t.is((err as { code?: number }).code, 422);
  t.is(await podCidrOf('node-0'), node.spec.podCIDR);
});

test.serial('with the range exhausted a node gets CIDRNotAvailable, and the block of a deleted node next', async (t) => {
  await createNode('late');
  const event = await eventually('CIDRNotAvailable on the late node', () => cidrNotAvailable('late'));
  t.is(event.message, 'Node late status is now: CIDRNotAvailable');
  t.is(event.type, 'Normal');
  t.is(event.source.component, 'cidrAllocator');
  t.is(await podCidrOf('late'), undefined);

  const freed = (await podCidrOf('node-3'))!;
  await client.delete(NODES, 'node-3');
  t.is(await allocated('late'), freed);
});

test.serial('allocations are rebuilt from the nodes when the controller-manager restarts', async (t) => {
  await stopControllers!();
  stopControllers = undefined;
  // Free the highest block while nothing runs: a restarted allocator that forgot the others would hand out 10.244.0.0/24 first.
  const before = await cidrsByNode();
  const [highest, freed] = [...before].sort(([, a], [, b]) => Number(b.split('.')[2]) - Number(a.split('.')[2]))[0];
  await client.delete(NODES, highest);

  stopControllers = await startControllers();
  await createNode('after-restart');
  t.is(await allocated('after-restart'), freed);
  const after = await cidrsByNode();
  t.is(new Set(after.values()).size, after.size, 'still no block handed out twice');
});

test.serial('a node that arrives with a podCIDR holds it', async (t) => {
  const victim = 'node-1';
  const block = (await podCidrOf(victim))!;
  await client.delete(NODES, victim);
  await createNode('preset', { podCIDR: block, podCIDRs: [block] });
  await createNode('unlucky');
  await eventually('CIDRNotAvailable on the unlucky node', () => cidrNotAvailable('unlucky'));
  t.is(await podCidrOf('unlucky'), undefined);
  t.is(await podCidrOf('preset'), block);
});
