import test from 'ava';
import { emptyListers, nodeInfo, nodeObject, podObject, runFilter, runScore, snapshotOf } from '../../../test/scheduler/fixtures.js';
import type { NodeInfo } from '../framework/node-info.js';
import { interPodAffinity } from './inter-pod-affinity.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const term = (labels: Record<string, string>, topologyKey: string) => ({ labelSelector: { matchLabels: labels }, topologyKey });

function cluster(placed: Record<string, Record<string, unknown>[]>): NodeInfo[] {
  const zones: Record<string, string> = { a1: 'us-east-1a', a2: 'us-east-1a', b1: 'us-east-1b' };
  return Object.entries(zones).map(([name, zone]) => nodeInfo(nodeObject(name, { zone }), (placed[name] ?? []).map((p, i) => podObject(`${name}-${i}`, { nodeName: name, ...p }))));
}

const plugin = (nodes: NodeInfo[]) => interPodAffinity(snapshotOf(nodes), emptyListers().namespaces);

test('required affinity: only domains holding a matching pod fit, with kube\'s reason for the rest', (t) => {
  const nodes = cluster({ a2: [{ labels: { app: 'db' } }] });
  const pod = podObject('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, ZONE)] } } } });
  const r = runFilter(plugin(nodes), pod, nodes);
  t.deepEqual(r.byNode, { a1: undefined, a2: undefined, b1: { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod affinity rules"] } });
});

test('the first pod of a group that selects itself may go anywhere', (t) => {
  const nodes = cluster({});
  const pod = podObject('first', { labels: { app: 'cache' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' }, HOST)] } } } });
  t.deepEqual(runFilter(plugin(nodes), pod, nodes).byNode, { a1: undefined, a2: undefined, b1: undefined });
});

test('required anti-affinity over hostname and zone, and existing pods\' anti-affinity against the incoming pod', (t) => {
  const nodes = cluster({ a1: [{ labels: { app: 'web' } }] });
  const byHost = podObject('w2', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, HOST)] } } } });
  const anti = { code: 'Unschedulable', reasons: ["node(s) didn't match pod anti-affinity rules"] };
  t.deepEqual(runFilter(plugin(nodes), byHost, nodes).byNode, { a1: anti, a2: undefined, b1: undefined });
  const byZone = podObject('w3', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, ZONE)] } } } });
  t.deepEqual(runFilter(plugin(nodes), byZone, nodes).byNode, { a1: anti, a2: anti, b1: undefined });

  const guarded = cluster({ b1: [{ labels: { app: 'lonely' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, ZONE)] } } } }] });
  const existing = { code: 'Unschedulable', reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"] };
  t.deepEqual(runFilter(plugin(guarded), podObject('w', { labels: { app: 'web' } }), guarded).byNode, { a1: undefined, a2: undefined, b1: existing });
  t.is(runFilter(plugin(guarded), podObject('other', { labels: { app: 'other' } }), guarded).preFilter, 'skip');
});

test('preferred terms and existing pods\' terms move scores by weight, scaled between the lowest and highest', (t) => {
  const nodes = cluster({ a2: [{ labels: { app: 'db' } }], b1: [{ labels: { app: 'noisy' } }] });
  const pod = podObject('web', {
    labels: { app: 'web' },
    spec: {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }, ZONE) }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'noisy' }, HOST) }] },
      },
    },
  });
  // a1 and a2 share the db pod's zone (+10); b1 hosts the noisy pod (-5).
  t.deepEqual(runScore(plugin(nodes), pod, nodes), { a1: 100, a2: 100, b1: 0 });
  t.is(runScore(plugin(nodes), podObject('plain'), nodes), 'skip');
});
