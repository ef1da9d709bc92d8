import { Worker } from 'node:worker_threads';
import type { IOptions } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import type { KVCall, KVResult, ThreadMessage, ThreadWatchEvent } from './etcd-thread-protocol.js';

/** What a watch on the etcd thread reports to. */
export interface WatchHandlers {
  events(events: ThreadWatchEvent[]): void;
  /** The etcd watch ended (etcd went away, or compacted past it); no more events come. */
  failed(reason: string): void;
}

interface Pending {
  resolve(value: KVResult): void;
  reject(err: Error): void;
}

/**
 * etcd calls and watches run on a worker thread (etcd-thread.ts), so the
 * event loop that serves HTTP spends a share of a message per call instead
 * of a gRPC call: the calls of one turn of the loop travel together, and so
 * do their answers and watch events. Answers are cut down to a KVResult,
 * with values as Uint8Array (asBuffer turns them back into Buffers without
 * copying). A thread that dies fails its calls and watches and is started
 * again on the next call.
 */
export class EtcdThread {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, WatchHandlers>();
  private nextId = 0;
  /** Calls made during this turn of the event loop, sent as one message. */
  private outbox: KVCall[] = [];
  private closed = false;

  constructor(private readonly options: IOptions) {}

  range(request: RPC.IRangeRequest): Promise<KVResult> {
    return this.call('range', request);
  }

  txn(request: RPC.ITxnRequest): Promise<KVResult> {
    return this.call('txn', request);
  }

  compact(request: RPC.ICompactionRequest): Promise<KVResult> {
    return this.call('compact', request);
  }

  /** Watches every key under `prefix` from `startRevision`; answers how to cancel it. */
  async watch(prefix: string, startRevision: number, handlers: WatchHandlers): Promise<{ cancel(): Promise<void> }> {
    const watchId = this.nextId++;
    this.watches.set(watchId, handlers);
    try {
      await this.call('watch', { watchId, prefix, startRevision });
    } catch (err) {
      this.watches.delete(watchId);
      throw err;
    }
    return {
      cancel: async () => {
        if (!this.watches.delete(watchId)) return;
        await this.call('unwatch', { watchId }).catch(() => undefined);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.worker?.postMessage('close');
    this.worker = undefined;
  }

  private call(method: KVCall['method'], request: unknown): Promise<KVResult> {
    if (this.closed) return Promise.reject(new Error('etcd client is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.outbox.push({ id, method, request }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const calls = this.outbox;
    this.outbox = [];
    if (this.closed) {
      for (const c of calls) this.settle({ id: c.id, error: { name: 'Error', message: 'etcd client is closed' } });
      return;
    }
    (this.worker ?? this.start()).postMessage(calls);
  }

  private receive(m: ThreadMessage): void {
    if ('watchId' in m) {
      const handlers = this.watches.get(m.watchId);
      if (!handlers) return;
      if ('failed' in m) {
        this.watches.delete(m.watchId);
        handlers.failed(m.failed);
      } else {
        handlers.events(m.events);
      }
      return;
    }
    this.settle(m);
  }

  private settle(reply: { id: number; result?: KVResult; error?: { name: string; message: string } }): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.error) p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    else p.resolve(reply.result!);
  }

  private start(): Worker {
    const worker = new Worker(new URL('./etcd-thread.js', import.meta.url), { workerData: this.options, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.on('message', (messages: ThreadMessage[]) => {
      for (const m of messages) this.receive(m);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      const watches = [...this.watches.values()];
      this.watches.clear();
      for (const w of watches) w.failed(err.message);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`etcd thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** Bytes that crossed from the etcd thread, as a Buffer over the same memory. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
