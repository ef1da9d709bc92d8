import { credentials, loadPackageDefinition, Metadata, status as codes, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { AGENT_MINOR_VERSION } from '../agent-version.js';
import type { ProbeOutcome } from './probe-outcome.js';
import { joinHostPort } from './tcp-probe.js';

/** The .proto beside this file's source (dist/ holds only JavaScript). */
const PROTO = fileURLToPath(new URL('../../../node-agent/probes/health-v1.proto', import.meta.url));

type HealthClient = Client & { Check(request: object, metadata: Metadata, options: { deadline: Date }, callback: (err: ServiceError | null, response: any) => void): void };
type HealthClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => HealthClient;

let health: HealthClientConstructor | undefined;
function healthClient(): HealthClientConstructor {
  health ??= (loadPackageDefinition(loadSync(PROTO, { keepCase: false, enums: String, defaults: true })) as any).grpc.health.v1.Health as HealthClientConstructor;
  return health;
}

/** A status code's name as Go's codes.Code prints it: Unavailable, DeadlineExceeded, Canceled. */
const goCode = (code: number) => (codes[code] === 'CANCELLED' ? 'Canceled' : String(codes[code]).toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()));

/** A duration as Go prints it: 1s, 1.5s. */
const goDuration = (ms: number) => `${ms / 1000}s`;

/**
 * A grpc probe as the kubelet runs it: the gRPC health protocol's Check for
 * the service, over plain text, connection and call within the timeout;
 * SERVING is success, any other answer or no answer a failure saying why.
 */
export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const address = joinHostPort(host, port);
  const deadline = new Date(Date.now() + timeoutMs);
  const client = new (healthClient())(address, credentials.createInsecure(), { 'grpc.primary_user_agent': `kube-probe/${AGENT_MINOR_VERSION}` });
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (connectError) => {
      if (connectError) {
        resolve({ result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(address)} within ${goDuration(timeoutMs)}: context deadline exceeded` });
        return;
      }
      client.Check({ service }, new Metadata(), { deadline }, (err, response) => {
        if (err?.code === codes.UNIMPLEMENTED) {
          resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
        } else if (err?.code === codes.DEADLINE_EXCEEDED) {
          resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` });
        } else if (err) {
          resolve({ result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${goCode(err.code)} desc = ${err.details}` });
        } else if (response.status !== 'SERVING') {
          resolve({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(response.status)})` });
        } else {
          resolve({ result: 'success', output: 'service healthy' });
        }
      });
    });
  }).finally(() => client.close());
}
