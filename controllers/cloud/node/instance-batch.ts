import type { AnyObject } from '../../../client/resource.js';
import type { Instances } from '../../aws/instances.js';
import { instancesOfNodes, type NodeInstance } from './node-instances.js';

interface Waiting {
  node: AnyObject;
  resolve(answer: NodeInstance): void;
  reject(err: unknown): void;
}

/**
 * Gathers the instance lookups of reconciles running at the same time into
 * one DescribeInstances: a lookup waits `windowMs` for others to join, so a
 * hundred nodes registering together cost a call or two, not a hundred.
 */
export class InstanceBatch {
  private waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly instances: Instances, private readonly windowMs = 50) {}

  lookup(node: AnyObject): Promise<NodeInstance> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ node, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.timer = undefined;
    try {
      const answers = await instancesOfNodes(this.instances, batch.map((w) => w.node));
      for (const w of batch) w.resolve(answers.get(w.node.metadata.name!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
