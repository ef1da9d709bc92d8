import test from 'ava';
import { containerResources, milliCPUToShares, oomScoreAdj } from './container-resources.js';

const GI = 1024 ** 3;
const pod = (resources: object, extra: object = {}) => ({ metadata: { name: 'p' }, spec: { ...extra, containers: [{ name: 'c', resources }] } });
const resourcesOf = (p: ReturnType<typeof pod>) => containerResources(p, p.spec.containers[0], 8 * GI);

test('BestEffort: the least cpu shares, no quota, no memory limit, the OOM killer\'s first choice', (t) => {
  t.deepEqual(resourcesOf(pod({})), { cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 1000 });
});

test('Guaranteed: shares and quota from the limit, the memory limit, the OOM killer\'s last choice', (t) => {
  const p = pod({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } });
  t.deepEqual(resourcesOf(p), { cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512, memoryLimitInBytes: 128 * 1024 ** 2, oomScoreAdj: -997 });
  t.is(resourcesOf(pod({ limits: { cpu: '2', memory: '1Gi' } })).cpuShares, 2048, 'a limit alone stands for the request');
});

test('Burstable: shares from the request, the OOM score by the request\'s share of the node\'s memory, kept between the other classes', (t) => {
  t.like(resourcesOf(pod({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } })), { cpuShares: 256, cpuQuota: 0, memoryLimitInBytes: 2 * GI, oomScoreAdj: 875 });
  t.is(resourcesOf(pod({ requests: { cpu: '100m' } })).oomScoreAdj, 999, 'no memory request: just below BestEffort');
  t.is(resourcesOf(pod({ requests: { memory: '8Gi' } })).oomScoreAdj, 3, 'all the memory: just above Guaranteed');
});

test('tiny amounts keep the kernel\'s minimums; node-critical pods are protected whatever their class', (t) => {
  t.like(resourcesOf(pod({ requests: { cpu: '1m' }, limits: { cpu: '1m' } })), { cpuShares: 2, cpuQuota: 1_000 });
  t.is(milliCPUToShares(1_000_000), 262_144);
  const critical = pod({}, { priorityClassName: 'system-node-critical' });
  t.is(oomScoreAdj(critical, critical.spec.containers[0], 8 * GI), -997);
});
