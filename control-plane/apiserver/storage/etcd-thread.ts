/**
 * The worker-thread side of EtcdThread: owns an etcd client and runs the KV
 * calls the API server's event loop hands it. A gRPC unary call costs Node
 * about 0.1 ms of CPU (an HTTP/2 stream per call), as much as the rest of a
 * create; here it costs the event loop one message each way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3, type IOptions } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import type { KVCall, KVReply, KVResult, ThreadKV } from './etcd-thread-protocol.js';

const client = new Etcd3(workerData as IOptions);
const port = parentPort!;

const keys = (kvs: RPC.IKeyValue[] | undefined): ThreadKV[] =>
  (kvs ?? []).map((kv) => ({ key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) }));

async function run(call: KVCall): Promise<KVResult> {
  switch (call.method) {
    case 'range': {
      const res = await client.kv.range(call.request as RPC.IRangeRequest);
      return { revision: Number(res.header.revision), kvs: keys(res.kvs), more: res.more, count: Number(res.count) };
    }
    case 'txn': {
      const res = await client.kv.txn(call.request as RPC.ITxnRequest);
      return { revision: Number(res.header.revision), succeeded: res.succeeded, kvs: keys(res.responses[0]?.response_range?.kvs) };
    }
    case 'compact': {
      const res = await client.kv.compact(call.request as RPC.ICompactionRequest);
      return { revision: Number(res.header.revision), kvs: [] };
    }
    default:
      throw new Error(`unknown etcd call ${String((call as KVCall).method)}`);
  }
}

/** Answers finished during this turn of the event loop, sent as one message. */
let outbox: KVReply[] = [];
function reply(r: KVReply): void {
  if (outbox.push(r) !== 1) return;
  setImmediate(() => {
    port.postMessage(outbox);
    outbox = [];
  });
}

port.on('message', (calls: KVCall[] | 'close') => {
  if (calls === 'close') {
    client.close();
    port.close();
    return;
  }
  for (const call of calls) {
    run(call).then(
      (result) => reply({ id: call.id, result }),
      (err: Error) => reply({ id: call.id, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } }),
    );
  }
});
