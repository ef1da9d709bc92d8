import test from 'ava';
import { nodeAllocatable, podResourceRequests } from './resource.js';

test('pod requests: containers add up, an init container counts alone beside the sidecars before it, overhead on top', (t) => {
  const r = podResourceRequests({
    containers: [{ resources: { requests: { cpu: '200m', memory: '100Mi' } } }, { resources: { requests: { cpu: '300m' } } }],
    initContainers: [
      { resources: { requests: { cpu: '2', memory: '10Mi' } } },
      { restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '50Mi' } } },
      { resources: { requests: { memory: '1Gi' } } },
    ],
    overhead: { cpu: '10m', 'example.com/gpu': '1' },
  });
  // cpu: max(500 + 100 sidecar, 2000 alone) + 10 overhead; memory: max(100Mi + 50Mi, 50Mi sidecar + 1Gi) .
  t.is(r.requests.milliCPU, 2010);
  t.is(r.requests.memory, (50 + 1024) * 1024 * 1024);
  t.is(r.requests.scalar?.get('example.com/gpu'), 1);
});

test('for spreading, containers without cpu or memory requests count as 100m and 200Mi', (t) => {
  const r = podResourceRequests({ containers: [{}, { resources: { requests: { cpu: '1' } } }] });
  t.is(r.requests.milliCPU, 1000);
  t.is(r.requests.memory, 0);
  t.is(r.nonZeroMilliCPU, 1100);
  t.is(r.nonZeroMemory, 2 * 200 * 1024 * 1024);
});

test('node allocatable: pods, extended and attachable-volume resources, hugepages', (t) => {
  const { resource, allowedPods } = nodeAllocatable({ cpu: '3800m', memory: '15Gi', pods: '58', 'attachable-volumes-aws-ebs': '25', 'hugepages-2Mi': '0', 'example.com/fpga': '2' });
  t.is(allowedPods, 58);
  t.is(resource.milliCPU, 3800);
  t.deepEqual([...resource.scalar!.entries()], [['attachable-volumes-aws-ebs', 25], ['hugepages-2Mi', 0], ['example.com/fpga', 2]]);
});
