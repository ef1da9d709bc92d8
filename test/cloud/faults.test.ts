import test from 'ava';
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AnyObject } from '../../client/resource.js';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PODS, SERVICES, STORAGE_CLASSES, VOLUME_ATTACHMENTS } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type AwsNodes, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';

let bed: CloudTestbed;
let nodes: AwsNodes;
let proxy: FaultProxy;
let ccm: RunningCloudControllerManager;
let scheduler: RunningScheduler;
const COUNT = 3;

test.before(async () => {
  bed = await startCloudTestbed({ clusterName: 'faults' });
  nodes = await startAwsNodes(bed, 2);
  scheduler = await startScheduler(bed.cluster);
  // The cloud-controller-manager reaches the endpoint only through the proxy; the test's own clients go straight to it.
  proxy = await startFaultProxy(bed.endpoint.url, { throttleShare: 0.2, errorShare: 0.1, maxLatencyMs: 80 });
  process.env.AWS_ENDPOINT_URL = proxy.url;
  ccm = await startCloudControllerManager(bed);
});
test.after.always(async () => {
  await ccm?.stop();
  await scheduler?.stop();
  await proxy?.stop();
  await nodes?.stop();
  await bed?.stop();
});

async function serviceLoadBalancers(): Promise<number> {
  const arns = ((await bed.aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((l) => l.LoadBalancerArn!);
  if (!arns.length) return 0;
  const tags = await bed.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }));
  return (tags.TagDescriptions ?? []).filter((d) => d.Tags?.some((t) => t.Key === 'kubernetes.io/cluster/faults')).length;
}

const clusterVolumes = async () =>
  ((await bed.aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/faults'] }] }))).Volumes ?? []).length;

test('under throttling, server errors and latency on a share of calls, nodes, load balancers and volumes still converge, and deletion leaves nothing', async (t) => {
  const client = adminClient(bed.cluster);
  try {
    await eventually('the nodes to be initialized', async () => {
      const items = (await client.list(NODES)).items;
      return items.length === 2 && items.every((n) => n.spec?.providerID?.startsWith('aws:///') && !(n.spec.taints ?? []).length);
    }, 120_000, 250);
    await client.create(STORAGE_CLASSES, { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
    for (let i = 0; i < COUNT; i++) {
      await client.create(SERVICES, { metadata: { name: `web-${i}`, namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
      await client.create(PERSISTENT_VOLUME_CLAIMS, {
        metadata: { name: `data-${i}`, namespace: 'default' }, spec: { storageClassName: 'gp3', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await client.create(PODS, {
        metadata: { name: `db-${i}`, namespace: 'default' },
        spec: { containers: [{ name: 'db', image: 'db', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${i}` } }] },
      });
    }
    await eventually('hostnames, attached volumes and running pods', async () => {
      const services = (await client.list(SERVICES, { namespace: 'default' })).items.filter((s) => s.spec?.type === 'LoadBalancer');
      const attachments = (await client.list(VOLUME_ATTACHMENTS)).items;
      const pods = (await client.list(PODS, { namespace: 'default' })).items;
      return services.every((s) => s.status?.loadBalancer?.ingress?.[0]?.hostname) && attachments.filter((a) => a.status?.attached).length === COUNT
        && pods.every((p: AnyObject) => p.status?.phase === 'Running');
    }, 180_000, 500);
    t.is(await serviceLoadBalancers(), COUNT);
    t.is(await clusterVolumes(), COUNT);
    t.true(proxy.injected.throttled > 0 && proxy.injected.errors > 0, `faults were injected: ${JSON.stringify(proxy.injected)}`);

    for (let i = 0; i < COUNT; i++) {
      await client.delete(SERVICES, `web-${i}`, { namespace: 'default' });
      await client.delete(PODS, `db-${i}`, { namespace: 'default' });
      await client.delete(PERSISTENT_VOLUME_CLAIMS, `data-${i}`, { namespace: 'default' });
    }
    await eventually('no load balancer or volume of the cluster left', async () => (await serviceLoadBalancers()) === 0 && (await clusterVolumes()) === 0, 180_000, 500);
    t.pass();
  } finally {
    client.close();
  }
});
