/**
 * The worker-thread side of EtcdThread: owns an etcd client, runs the KV
 * calls the API server's event loop hands it and holds its watches. A gRPC
 * unary call costs Node about 0.1 ms of CPU (an HTTP/2 stream per call), as
 * much as the rest of a create; here it costs the event loop a share of one
 * message each way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3, type IOptions, type Watcher } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import type { KVCall, KVResult, ThreadKV, ThreadMessage, ThreadWatchEvent, WatchRequest } from './etcd-thread-protocol.js';

/** The options as they crossed threads: TLS material arrives as Uint8Array, and grpc wants Buffers. */
function options(data: IOptions): IOptions {
  const c = data.credentials;
  const buf = (b?: Uint8Array) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : undefined);
  if (!c) return data;
  return { ...data, credentials: { rootCertificate: buf(c.rootCertificate)!, privateKey: buf(c.privateKey), certChain: buf(c.certChain) } };
}

const client = new Etcd3(options(workerData as IOptions));
const port = parentPort!;
const watchers = new Map<number, Watcher>();

/** Messages ready during this turn of the event loop, sent as one. */
let outbox: ThreadMessage[] = [];
function send(m: ThreadMessage): void {
  if (outbox.push(m) !== 1) return;
  setImmediate(() => {
    port.postMessage(outbox);
    outbox = [];
  });
}

const keys = (kvs: RPC.IKeyValue[] | undefined): ThreadKV[] =>
  (kvs ?? []).map((kv) => ({ key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) }));

function watchEvent(e: RPC.IEvent): ThreadWatchEvent {
  const deleted = e.type === 'Delete' || (e.type as unknown) === 'DELETE' || (e.type as unknown) === 1;
  const previous = e.prev_kv ? { value: e.prev_kv.value, modRevision: Number(e.prev_kv.mod_revision) } : undefined;
  return { key: e.kv.key.toString(), deleted, modRevision: Number(e.kv.mod_revision), value: e.kv.value, previous };
}

async function watch({ watchId, prefix, startRevision }: WatchRequest): Promise<void> {
  const watcher = await client.watch().prefix(prefix).startRevision(String(startRevision)).withPreviousKV().create();
  watcher.on('data', (res: RPC.IWatchResponse) => {
    if (res.events.length) send({ watchId, events: res.events.map(watchEvent) });
  });
  watcher.on('error', (err: Error) => {
    watchers.delete(watchId);
    watcher.cancel().catch(() => undefined);
    send({ watchId, failed: String(err?.message ?? err) });
  });
  watchers.set(watchId, watcher);
}

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
    case 'watch':
      await watch(call.request as WatchRequest);
      return { revision: 0, kvs: [] };
    case 'unwatch': {
      const { watchId } = call.request as { watchId: number };
      const watcher = watchers.get(watchId);
      watchers.delete(watchId);
      await watcher?.cancel();
      return { revision: 0, kvs: [] };
    }
    default:
      throw new Error(`unknown etcd call ${String((call as KVCall).method)}`);
  }
}

port.on('message', (calls: KVCall[] | 'close') => {
  if (calls === 'close') {
    client.close();
    port.close();
    return;
  }
  for (const call of calls) {
    run(call).then(
      (result) => send({ id: call.id, result }),
      (err: Error) => send({ id: call.id, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } }),
    );
  }
});
