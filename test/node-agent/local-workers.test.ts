import test from 'ava';
import { nodeCondition } from '../../api/node-status.js';
import type { ResourceRef } from '../../client/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import { localVpcOf } from '../../infra/local/local-vpc.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { adminClient } from '../helpers/apiserver.js';
import { startCloudControllerManager, startCloudTestbed, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';
import { startTestWorkers, testVpcCidr, type TestWorkers } from '../helpers/local-workers.js';

const clusterCidr = '10.244.0.0/16';
let bed: CloudTestbed;
let ccm: RunningCloudControllerManager;
let local: TestWorkers;
test.before(async () => {
  const vpcCidr = testVpcCidr();
  const { masterAddress } = localVpcOf({ id: 'x', vpcCidr, subnets: [] });
  bed = await startCloudTestbed({
    vpcCidr, apiServer: { bindAddress: '0.0.0.0', advertiseAddress: masterAddress },
    // The root CA publisher: the workers' pods mount kube-root-ca.crt with their token.
    controllers: { controllers: ['nodeipam', 'root-ca-cert-publisher'], allocateNodeCidrs: true, clusterCidr },
  });
  ccm = await startCloudControllerManager(bed, {
    controllers: ['cloud-node', 'cloud-node-lifecycle', 'route'], configureCloudRoutes: true, clusterCidr,
    routeReconciliationPeriodMs: 500, nodeStatusUpdateFrequencyMs: 500, nodeMonitorPeriodMs: 500,
  });
  local = await startTestWorkers(bed, vpcCidr, 2, ['--node-status-update-frequency=1s'], { clusterCidr });
});
test.after.always(async () => {
  await local?.stop();
  await ccm?.stop();
  await bed?.stop();
});

test.serial('each worker\'s agent runs in its own namespace with its instance\'s address, registers as that instance and is initialized by the cloud-controller-manager', async (t) => {
  const admin = adminClient(bed.cluster);
  try {
    for (const w of local.workers) {
      const node = await eventually(`${w.instance.privateDnsName} Ready and initialized`, async () => {
        const n = await admin.get(NODES, w.instance.privateDnsName).catch(() => undefined);
        return n && nodeCondition(n.status, 'Ready')?.status === 'True' && !(n.spec.taints ?? []).length && n.spec.podCIDR && n;
      }, 60_000, 300);
      t.is(node.spec.providerID, `aws:///${w.instance.zone}/${w.instance.instanceId}`);
      t.like(node.status.addresses.find((a: any) => a.type === 'InternalIP'), { address: w.instance.privateIp });
      t.is(node.metadata.labels['topology.kubernetes.io/zone'], w.instance.zone);
    }
  } finally {
    admin.close();
  }
});

test.serial('a pod on one worker reaches a pod on the other through the route table\'s routes', async (t) => {
  const admin = adminClient(bed.cluster);
  const [a, b] = local.workers;
  const pod = (name: string, node: string, command: string[]) => ({
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command }] },
  });
  try {
    await admin.create(PODS, pod('server', a.instance.privateDnsName, ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www']));
    await admin.create(PODS, pod('client', b.instance.privateDnsName, ['sleep', '3600']));
    const running = async (name: string) => eventually(`${name} Running`, async () => {
      const p = await admin.get(PODS, name, { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.podIP && p;
    }, 60_000, 300);
    const [server, client] = [await running('server'), await running('client')];
    const nodeOf = async (w: typeof a) => (await admin.get(NODES, w.instance.privateDnsName)).spec.podCIDR as string;
    const within = (ip: string, cidr: string) => ip.split('.').slice(0, 3).join('.') === cidr.split('.').slice(0, 3).join('.');
    t.true(within(server.status.podIP, await nodeOf(a)), `${server.status.podIP} in worker a's range`);
    t.true(within(client.status.podIP, await nodeOf(b)), `${client.status.podIP} in worker b's range`);
    t.is(server.status.hostIP, a.instance.privateIp);
    const cri = new RuntimeClient(`unix://${b.runtime.socket}`);
    try {
      const { containers } = await cri.runtimeCall('ListContainers', { filter: { labelSelector: { 'io.kubernetes.pod.name': 'client' } } });
      const body = await eventually('the server answers the client', async () => {
        const out = await cri.runtimeCall('ExecSync', { containerId: containers[0].id, cmd: ['timeout', '2', 'wget', '-q', '-O', '-', `http://${server.status.podIP}:8080/`], timeout: 5 });
        return out.exitCode === 0 && Buffer.from(out.stdout).toString('utf8');
      }, 30_000, 500);
      t.is(body.trim(), 'hello from server');
    } finally {
      cri.close();
    }
    for (const name of ['server', 'client']) await admin.delete(PODS, name, { namespace: 'default' });
  } finally {
    admin.close();
  }
});

test.serial('an in-cluster client in a pod on a worker lists pods with its mounted token: kubectl with no kubeconfig, trusting the mounted CA', async (t) => {
  const admin = adminClient(bed.cluster);
  const [a] = local.workers;
  const rbac: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespaced: true };
  try {
    await admin.create(rbac, {
      metadata: { name: 'default-views', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
    });
    // kubectl is one static binary: the host's, mounted into busybox. The API server is reached as any in-cluster
    // client reaches it: the kubernetes Service's cluster IP from the environment the agent sets, through the worker's proxy.
    await admin.create(PODS, {
      metadata: { name: 'in-cluster', namespace: 'default' },
      spec: {
        nodeName: a.instance.privateDnsName, terminationGracePeriodSeconds: 0,
        containers: [{
          name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'],
          volumeMounts: [{ name: 'kubectl', mountPath: '/usr/local/bin/kubectl', readOnly: true }],
        }],
        volumes: [{ name: 'kubectl', hostPath: { path: '/usr/bin/kubectl', type: 'File' } }],
      },
    });
    await eventually('in-cluster Running', async () => (await admin.get(PODS, 'in-cluster', { namespace: 'default' })).status?.phase === 'Running', 60_000, 300);
    const cri = new RuntimeClient(`unix://${a.runtime.socket}`);
    try {
      const { containers } = await cri.runtimeCall('ListContainers', { filter: { labelSelector: { 'io.kubernetes.pod.name': 'in-cluster' } } });
      const kubectl = async (...args: string[]) => {
        const out = await cri.runtimeCall('ExecSync', { containerId: containers[0].id, cmd: ['/usr/local/bin/kubectl', ...args], timeout: 30 });
        return { code: out.exitCode, stdout: Buffer.from(out.stdout).toString('utf8'), stderr: Buffer.from(out.stderr).toString('utf8') };
      };
      const listed = await kubectl('get', 'pods', '-o', 'name');
      t.is(listed.code, 0, listed.stderr);
      t.true(listed.stdout.split('\n').includes('pod/in-cluster'), listed.stdout);
      const who = await kubectl('auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
      t.is(who.stdout, 'system:serviceaccount:default:default', who.stderr);
      const denied = await kubectl('delete', 'pod', 'in-cluster');
      t.not(denied.code, 0);
      t.regex(denied.stderr, /forbidden: User "system:serviceaccount:default:default" cannot delete resource "pods"/);
    } finally {
      cri.close();
    }
    await admin.delete(PODS, 'in-cluster', { namespace: 'default' });
  } finally {
    admin.close();
  }
});
