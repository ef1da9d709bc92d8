import test from 'ava';
import { loadPackageDefinition, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/free-port.js';
import { grpcProbe } from './grpc-probe.js';

const PROTO = fileURLToPath(new URL('../../../node-agent/probes/health-v1.proto', import.meta.url));
const health = (loadPackageDefinition(loadSync(PROTO, { enums: String })) as any).grpc.health.v1.Health;

/** A gRPC server on 127.0.0.1 whose health service answers `statuses[service]` (NOT_FOUND for others), or none at all. */
async function serve(t: { teardown(fn: () => void): void }, statuses?: Record<string, string>): Promise<number> {
  const server = new Server();
  if (statuses) {
    server.addService(health.service, {
      Check(call: ServerUnaryCall<{ service: string }, unknown>, done: sendUnaryData<unknown>) {
        const answer = statuses[call.request.service];
        if (answer) done(null, { status: answer });
        else done({ code: status.NOT_FOUND, details: 'unknown service' });
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  t.teardown(() => server.forceShutdown());
  return port;
}

test('SERVING is success; another status fails naming it', async (t) => {
  const port = await serve(t, { '': 'SERVING', db: 'NOT_SERVING' });
  t.deepEqual(await grpcProbe('127.0.0.1', port, '', 1_000), { result: 'success', output: 'service healthy' });
  t.deepEqual(await grpcProbe('127.0.0.1', port, 'db', 1_000), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  t.deepEqual(await grpcProbe('127.0.0.1', port, 'cache', 1_000), { result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
});

test('a server without the health service, and no server at all, fail saying why', async (t) => {
  const port = await serve(t);
  const unimplemented = await grpcProbe('127.0.0.1', port, '', 1_000);
  t.is(unimplemented.result, 'failure');
  t.regex(unimplemented.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  const closed = await freePort();
  const started = Date.now();
  t.deepEqual(await grpcProbe('127.0.0.1', closed, '', 500), { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${closed}" within 0.5s: context deadline exceeded` });
  t.true(Date.now() - started < 2_000);
});
