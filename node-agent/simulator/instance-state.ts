import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { setTimeout as delay } from 'node:timers/promises';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { logError } from '../../client/log.js';
import type { BackingInstance } from './backing-instances.js';
import type { SimulatedNodes } from './simulated-nodes.js';

/** Instance states in which an agent runs: the others (stopping, stopped, shutting-down, terminated) have no agent. */
const AGENT_RUNS = new Set(['pending', 'running']);

/**
 * Makes each simulated node live and die with its instance, as an agent on
 * the instance would: an instance that is stopped or terminated in the
 * endpoint stops its node's heartbeats (the node goes Unknown after the
 * grace period, as a real one does), and one started again resumes them.
 * Polls the instances every `periodMs`, many per DescribeInstances call; an
 * AWS error changes nothing.
 */
export function followInstanceState(aws: AwsClients, nodes: SimulatedNodes, instances: BackingInstance[], periodMs = 5_000): { stop(): Promise<void> } {
  const abort = new AbortController();
  const stopped = new Set<string>();
  const byId = new Map(instances.map((i) => [i.instanceId, i.name]));
  const poll = async () => {
    const states = new Map<string, string>();
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += 200) {
      let NextToken: string | undefined;
      do {
        const page = await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids.slice(i, i + 200) }], NextToken }));
        for (const r of page.Reservations ?? []) for (const inst of r.Instances ?? []) states.set(inst.InstanceId!, inst.State?.Name ?? '');
        NextToken = page.NextToken;
      } while (NextToken);
    }
    for (const [id, name] of byId) {
      // An instance the endpoint no longer lists is gone: no agent.
      const runs = AGENT_RUNS.has(states.get(id) ?? 'gone');
      if (!runs && !stopped.has(name)) {
        stopped.add(name);
        nodes.pauseHeartbeat(name);
      } else if (runs && stopped.has(name)) {
        stopped.delete(name);
        nodes.resumeHeartbeat(name);
      }
    }
  };
  const running = (async () => {
    while (!abort.signal.aborted) {
      await poll().catch((err) => logError(err, { component: 'simulated-nodes', phase: 'instance state' }));
      await delay(periodMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}
