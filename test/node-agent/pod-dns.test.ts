import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS, PODS } from '../../client/resources.js';
import { RestClient } from '../../client/rest-client.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { NODE_AGENT_DEFAULTS, NodeAgent, type NodeAgentOptions } from '../../node-agent/node-agent.js';
import { adminClient, identityConfig, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { BUSYBOX_IMAGE, startContainerd, type TestRuntime } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let runtime: TestRuntime;
let resolvConf: string;
test.before(async () => {
  [cluster, runtime] = await Promise.all([startCluster({}, { controllers: { controllers: ['root-ca-cert-publisher'] } }), startContainerd()]);
  // The host's resolver file, as --resolv-conf names it: a server and a search domain of the node's own network.
  resolvConf = join(runtime.dir, 'host-resolv.conf');
  writeFileSync(resolvConf, '# the host\'s\nnameserver 192.0.2.53\nsearch corp.example.\noptions timeout:2\n');
});
test.after.always(async () => {
  await runtime?.stop();
  await cluster?.stop();
});

const options = (name: string, clusterDNS: string[]): NodeAgentOptions => ({
  ...NODE_AGENT_DEFAULTS, nodeName: name, nodeIP: '10.0.0.5', externalCloudProvider: false, labels: {}, taints: [],
  rootDir: runtime.dir, leaseDurationSeconds: 4, nodeStatusUpdateFrequencyMs: 300,
  clusterDNS, clusterDomain: 'cluster.local', resolvConf,
});

/** Runs the pods on the node to completion and answers what each printed (the CRI log's lines without their prefixes). */
async function printed(admin: RestClient, nodeName: string, pods: Record<string, Record<string, unknown>>): Promise<Record<string, string>> {
  for (const [name, spec] of Object.entries(pods)) {
    await admin.create(PODS, {
      metadata: { name, namespace: 'default' },
      spec: { nodeName, restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'cat /etc/resolv.conf; hostname'] }], ...spec },
    });
  }
  const out: Record<string, string> = {};
  for (const name of Object.keys(pods)) {
    const pod = await eventually(`${name} Succeeded`, async () => {
      const p = await admin.get(PODS, name, { namespace: 'default' });
      return p.status?.phase === 'Succeeded' && p;
    }, 30_000, 200);
    const log = readFileSync(join(runtime.dir, 'pods', `default_${name}_${pod.metadata.uid}`, 'main', '0.log'), 'utf8');
    out[name] = log.split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' ')).join('\n');
  }
  return out;
}

test.serial('the runtime writes each pod\'s resolv.conf from its dnsPolicy and dnsConfig: ClusterFirst, None, Default; its hostname is its FQDN when asked', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-dns', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, options('worker-dns', ['10.96.0.10']));
  try {
    await agent.start();
    const out = await printed(admin, 'worker-dns', {
      'cluster-first': { hostname: 'db', subdomain: 'backends', setHostnameAsFQDN: true },
      'own-resolver': { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      'host-resolver': { dnsPolicy: 'Default' },
    });
    t.is(out['cluster-first'], [
      'search default.svc.cluster.local svc.cluster.local cluster.local corp.example', 'nameserver 10.96.0.10', 'options ndots:5',
      'db.backends.default.svc.cluster.local',
    ].join('\n'));
    t.is(out['own-resolver'], ['search a.example', 'nameserver 1.1.1.1', 'nameserver 8.8.8.8', 'options ndots:2 edns0', 'own-resolver'].join('\n'));
    t.is(out['host-resolver'], ['search corp.example', 'nameserver 192.0.2.53', 'options timeout:2', 'host-resolver'].join('\n'));
    for (const name of Object.keys(out)) await admin.delete(PODS, name, { namespace: 'default' });
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('without --cluster-dns a ClusterFirst pod gets the host\'s resolver, and MissingClusterDNS is recorded on the pod and the node', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-nodns', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, options('worker-nodns', []));
  try {
    await agent.start();
    const out = await printed(admin, 'worker-nodns', { 'no-cluster-dns': {} });
    t.is(out['no-cluster-dns'], ['search corp.example', 'nameserver 192.0.2.53', 'options timeout:2', 'no-cluster-dns'].join('\n'));
    const events = await eventually('MissingClusterDNS recorded twice', async () => {
      const found = (await admin.list(EVENTS, { namespace: 'default' })).items.filter((e) => e.reason === 'MissingClusterDNS');
      return found.length >= 2 && found;
    }, 10_000, 200);
    t.deepEqual(events.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.type}`).sort(), ['Node/worker-nodns Warning', 'Pod/no-cluster-dns Warning']);
    await admin.delete(PODS, 'no-cluster-dns', { namespace: 'default' });
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});
