import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deleteLocalVpc, ensureLocalVpc, localVpcOf, type LocalVpc } from '../../infra/local/local-vpc.js';
import { startLocalWorker, stopLocalWorker, type LocalWorker, type WorkerInstance } from '../../infra/local/local-worker.js';
import { runEbsDevices, workerDeviceDir, type EbsDeviceLayout } from '../../infra/local/ebs-devices.js';
import { runVpcRouter } from '../../infra/local/vpc-router.js';
import { importBusyboxImages } from '../../infra/local/worker-runtime.js';
import { launchBackingInstances, terminateBackingInstances } from '../../node-agent/simulator/backing-instances.js';
import { clientCertificate } from './apiserver.js';
import type { CloudTestbed } from './cloud.js';
import { LOCAL_IMAGES, PAUSE_IMAGE } from '../../infra/local/local-images.js';

/** A random /16 for a test's VPC, so two test files' host routes never overlap. */
export const testVpcCidr = () => `10.${100 + Math.floor(Math.random() * 90)}.0.0/16`;

export interface TestWorkers {
  vpc: LocalVpc;
  workers: (LocalWorker & { instance: WorkerInstance })[];
  /** Where ebs-devices keeps the volumes' files and the workers' device folders. */
  ebs: EbsDeviceLayout;
  stop(): Promise<void>;
}

export interface TestWorkerOptions {
  /** Every worker in this zone (by default round robin over the cluster's zones). */
  zone?: string;
  /** The cluster's pod ranges, for the workers' proxies (--cluster-cidr). */
  clusterCidr?: string;
  proxyFlags?: string[];
}

/**
 * `count` local workers of the testbed's cluster, as `skiff up` lays them
 * out: an instance each in the AWS endpoint, a network namespace plugged
 * into the cluster's local VPC with the instance's address, containerd and
 * a node agent and a service proxy inside it with the node's identity, and the VPC
 * router applying the cluster's route table, and ebs-devices making the
 * EBS volumes attached to their instances their block devices (folders
 * under one temporary folder, all removed by stop()). The testbed's API server must
 * listen where the workers reach it: bound to 0.0.0.0 and advertising the
 * VPC's master address (see localVpcOf).
 */
export async function startTestWorkers(bed: CloudTestbed, vpcCidr: string, count: number, agentFlags: string[] = [], options: TestWorkerOptions = {}): Promise<TestWorkers> {
  const id = randomBytes(3).toString('hex');
  const spec = { id, vpcCidr, subnets: bed.network.subnets.map((s) => s.cidr) };
  let vpc: LocalVpc;
  try {
    vpc = ensureLocalVpc(spec);
  } catch (err) {
    deleteLocalVpc(localVpcOf(spec));
    throw err;
  }
  const abort = new AbortController();
  const router = runVpcRouter(bed.aws, bed.clusterName, vpc, abort.signal, 500);
  const ebsDir = mkdtempSync(`/tmp/skiff-ebs-${id}-`);
  const ebs: EbsDeviceLayout = { volumesDir: join(ebsDir, 'volumes'), deviceRoot: join(ebsDir, 'devices') };
  const devices = runEbsDevices(bed.aws, ebs, abort.signal, 300);
  const workers: TestWorkers['workers'] = [];
  const dirs: string[] = [ebsDir];
  const launched = await launchBackingInstances(bed.aws, { clusterName: bed.clusterName, count, namePrefix: `w${id}-`, zone: options.zone });
  const stop = async () => {
    for (const w of workers) await stopLocalWorker(vpc, w).catch(() => undefined);
    abort.abort();
    await router;
    await devices;
    await terminateBackingInstances(bed.aws, launched).catch(() => undefined);
    deleteLocalVpc(vpc);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    const port = new URL(bed.cluster.url).port;
    for (const inst of launched) {
      const instance: WorkerInstance = {
        instanceId: inst.instanceId, zone: inst.zone, privateIp: inst.internalIP, privateDnsName: inst.name,
        subnetCidr: bed.network.subnets.find((s) => s.zone === inst.zone)!.cidr,
      };
      // Short: the CRI socket lives in it.
      const dir = mkdtempSync(`/tmp/skiff-w-${id}-`);
      dirs.push(dir);
      const { cert, key } = await clientCertificate(bed.cluster, `system:node:${instance.privateDnsName}`, ['system:nodes']);
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': 'node',
        clusters: [{ name: 'local', cluster: { server: `https://${vpc.masterAddress}:${port}`, 'certificate-authority': bed.cluster.caFile } }],
        users: [{ name: 'node', user: { 'client-certificate-data': Buffer.from(cert).toString('base64'), 'client-key-data': Buffer.from(key).toString('base64') } }],
        contexts: [{ name: 'node', context: { cluster: 'local', user: 'node' } }],
      }));
      const worker = await startLocalWorker({
        vpc, instance, dir, kubeconfig, sandboxImage: PAUSE_IMAGE, agentFlags, deviceDir: workerDeviceDir(ebs, instance.instanceId),
        clusterCidr: options.clusterCidr, proxyFlags: options.proxyFlags,
      });
      workers.push({ ...worker, instance });
      importBusyboxImages(worker.runtime, LOCAL_IMAGES);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { vpc, workers, ebs, stop };
}
