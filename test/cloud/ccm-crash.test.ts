import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PERSISTENT_VOLUME_CLAIMS, SERVICES, STORAGE_CLASSES } from '../../client/resources.js';
import { stringify } from 'yaml';
import { adminClient, identityConfig } from '../helpers/apiserver.js';
import { startAwsNodes, startCloudTestbed, type AwsNodes, type CloudTestbed } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'skiff.js');
const COUNT = 20;
const KILLS = 10;

let bed: CloudTestbed;
let nodes: AwsNodes;
test.before(async () => {
  bed = await startCloudTestbed({ clusterName: 'crash' });
  nodes = await startAwsNodes(bed, 2);
});
test.after.always(async () => {
  await nodes?.stop();
  await bed?.stop();
});

/** The cluster's load balancers, target groups and volumes in the endpoint, found by the cluster tag. */
async function inEndpoint(): Promise<{ loadBalancers: number; targetGroups: number; volumes: number }> {
  const tagged = async (arns: string[]) => {
    let n = 0;
    for (let i = 0; i < arns.length; i += 20) {
      const d = await bed.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
      n += (d.TagDescriptions ?? []).filter((t) => t.Tags?.some((x) => x.Key === 'kubernetes.io/cluster/crash')).length;
    }
    return n;
  };
  const lbs = ((await bed.aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((l) => l.LoadBalancerArn!);
  const tgs = ((await bed.aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((g) => g.TargetGroupArn!);
  const volumes = (await bed.aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/crash'] }] }))).Volumes ?? [];
  return { loadBalancers: await tagged(lbs), targetGroups: await tagged(tgs), volumes: volumes.length };
}

test('the cloud-controller-manager killed at random points 10 times while 20 Services and 20 claims are made ends with exactly 20 load balancers and 20 volumes, and deleting them leaves nothing', async (t) => {
  const client = adminClient(bed.cluster);
  const config = await identityConfig(bed.cluster, 'system:cloud-controller-manager');
  const kubeconfig = join(bed.cluster.dir, 'ccm.kubeconfig');
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'ccm',
    clusters: [{ name: 'ccm', cluster: { server: config.server, 'certificate-authority-data': Buffer.from(config.ca!).toString('base64') } }],
    users: [{ name: 'ccm', user: { 'client-certificate-data': Buffer.from(config.cert!).toString('base64'), 'client-key-data': Buffer.from(config.key!).toString('base64') } }],
    contexts: [{ name: 'ccm', context: { cluster: 'ccm', user: 'ccm' } }],
  }));
  const port = await freePort();
  const startCcm = (): ChildProcess => spawn(process.execPath, [bin, 'cloud-controller-manager', '--cloud-provider=aws', '--cluster-name=crash',
    `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${port}`], { stdio: 'ignore' });
  const kill = async (ccm: ChildProcess) => {
    const exited = new Promise((resolve) => ccm.once('exit', resolve));
    ccm.kill('SIGKILL');
    await exited;
  };

  await client.create(STORAGE_CLASSES, {
    metadata: { name: 'ebs-now' }, provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
  });
  const creating = (async () => {
    for (let i = 0; i < COUNT; i++) {
      await client.create(SERVICES, { metadata: { name: `web-${i}`, namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
      await client.create(PERSISTENT_VOLUME_CLAIMS, {
        metadata: { name: `data-${i}`, namespace: 'default' },
        spec: { storageClassName: 'ebs-now', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await delay(150 + Math.random() * 250);
    }
  })();
  for (let k = 0; k < KILLS; k++) {
    const ccm = startCcm();
    await delay(700 + Math.random() * 2500);
    await kill(ccm);
  }
  await creating;

  const ccm = startCcm();
  try {
    await eventually('every Service to have a hostname and every claim to be bound', async () => {
      const services = (await client.list(SERVICES, { namespace: 'default' })).items.filter((s) => s.spec?.type === 'LoadBalancer');
      const claims = (await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: 'default' })).items;
      return services.length === COUNT && services.every((s) => s.status?.loadBalancer?.ingress?.[0]?.hostname)
        && claims.length === COUNT && claims.every((c) => c.status?.phase === 'Bound');
    }, 180_000, 500);
    t.deepEqual(await inEndpoint(), { loadBalancers: COUNT, targetGroups: COUNT, volumes: COUNT }, 'no duplicate after any crash');

    for (let i = 0; i < COUNT; i++) {
      await client.delete(SERVICES, `web-${i}`, { namespace: 'default' });
      await client.delete(PERSISTENT_VOLUME_CLAIMS, `data-${i}`, { namespace: 'default' });
    }
    const empty = { loadBalancers: 0, targetGroups: 0, volumes: 0 };
    await eventually('nothing of the cluster left in the endpoint', async () => JSON.stringify(await inEndpoint()) === JSON.stringify(empty), 180_000, 500);
    t.deepEqual(await inEndpoint(), empty);
  } finally {
    await kill(ccm);
    client.close();
  }
});
