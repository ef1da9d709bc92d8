import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';
import { Counter, Histogram, type Registry } from 'prom-client';
import { awsErrorCode, isThrottling } from './errors.js';

/** Attempts per call (the first and its retries) before a controller's own backoff takes over. */
const MAX_ATTEMPTS = 5;

/** Reads never change anything; every other action does (what "no mutating call in steady state" counts). */
export const isMutatingAction = (action: string): boolean => !/^(Describe|Get|List)/.test(action);

/**
 * Every AWS call the process makes, by action: how many, which failed with
 * which code. Benchmarks read it; /metrics shows it under the AWS
 * cloud-controller-manager's metric names.
 */
export class AwsCalls {
  readonly byAction = new Map<string, number>();
  readonly errorsByCode = new Map<string, number>();
  private listeners: ((action: string) => void)[] = [];
  private readonly duration?: Histogram<'request'>;
  private readonly errors?: Counter<'request'>;
  private readonly throttled?: Counter<'operation_name'>;

  constructor(registry?: Registry) {
    if (!registry) return;
    this.duration = new Histogram({ name: 'cloudprovider_aws_api_request_duration_seconds', help: 'Latency of AWS API calls', labelNames: ['request'], registers: [registry] });
    this.errors = new Counter({ name: 'cloudprovider_aws_api_request_errors', help: 'AWS API errors', labelNames: ['request'], registers: [registry] });
    this.throttled = new Counter({ name: 'cloudprovider_aws_api_throttled_requests_total', help: 'AWS API throttled requests', labelNames: ['operation_name'], registers: [registry] });
  }

  /** Calls `fn` with each action as it is called (tests watch for mutating calls). */
  onCall(fn: (action: string) => void): () => void {
    this.listeners.push(fn);
    return () => { this.listeners = this.listeners.filter((l) => l !== fn); };
  }

  total(filter: (action: string) => boolean = () => true): number {
    let n = 0;
    for (const [action, count] of this.byAction) if (filter(action)) n += count;
    return n;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.byAction].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.byAction.clear();
    this.errorsByCode.clear();
  }

  /** One HTTP attempt at `action` (retries count again), with how it ended. */
  record(action: string, seconds: number, err?: unknown): void {
    this.byAction.set(action, (this.byAction.get(action) ?? 0) + 1);
    this.duration?.observe({ request: action }, seconds);
    if (err) {
      const code = awsErrorCode(err) ?? 'Unknown';
      this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
      this.errors?.inc({ request: action });
      if (isThrottling(err)) this.throttled?.inc({ operation_name: action });
    }
    for (const l of this.listeners) l(action);
  }
}

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  calls: AwsCalls;
  destroy(): void;
}

/**
 * The EC2 and ELBv2 clients of one process. The endpoint and credentials come
 * only from the SDK's standard configuration (AWS_ENDPOINT_URL and its
 * per-service variants, the credential chain), so AWS, LocalStack and moto's
 * server are the same to the code. Retries use the SDK's adaptive mode with
 * one rate limiter shared by both clients: when AWS answers
 * RequestLimitExceeded or Throttling, the whole process slows down.
 */
export function createAwsClients(region: string, registry?: Registry): AwsClients {
  const calls = new AwsCalls(registry);
  const rateLimiter = new DefaultRateLimiter();
  const retryStrategy = () => new AdaptiveRetryStrategy(MAX_ATTEMPTS, { rateLimiter });
  const ec2 = new EC2Client({ region, retryMode: 'adaptive', retryStrategy: retryStrategy() });
  const elbv2 = new ElasticLoadBalancingV2Client({ region, retryMode: 'adaptive', retryStrategy: retryStrategy() });
  for (const client of [ec2, elbv2] as const) {
    // After the retry step: one record per HTTP attempt, named by the API action.
    (client.middlewareStack as any).add((next: any, context: any) => async (args: any) => {
      const action = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const started = process.hrtime.bigint();
      try {
        const out = await next(args);
        calls.record(action, Number(process.hrtime.bigint() - started) / 1e9);
        return out;
      } catch (err) {
        calls.record(action, Number(process.hrtime.bigint() - started) / 1e9, err);
        throw err;
      }
    }, { step: 'deserialize', name: 'skiffCallRecorder', priority: 'high' });
  }
  return { region, ec2, elbv2, calls, destroy: () => { ec2.destroy(); elbv2.destroy(); } };
}
