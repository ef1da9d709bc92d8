/**
 * The worker-thread side of EtcdThread: owns an etcd client and runs the KV
 * calls the API server's event loop hands it. A gRPC unary call costs Node
 * about 0.1 ms of CPU (an HTTP/2 stream per call), as much as the rest of a
 * create; here it costs the event loop one message each way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3, type IOptions } from 'etcd3';
import type { KVCall, KVReply } from './etcd-thread-protocol.js';

const client = new Etcd3(workerData as IOptions);
const port = parentPort!;

port.on('message', (call: KVCall | 'close') => {
  if (call === 'close') {
    client.close();
    port.close();
    return;
  }
  (client.kv[call.method] as (req: unknown) => Promise<unknown>)(call.request).then(
    (result) => port.postMessage({ id: call.id, result } satisfies KVReply),
    (err: Error) => port.postMessage({ id: call.id, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } } satisfies KVReply),
  );
});
