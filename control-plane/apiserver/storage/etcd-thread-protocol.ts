/** Messages between the API server's event loop and its etcd thread. */
export interface KVCall {
  id: number;
  method: 'range' | 'txn' | 'compact' | 'watch' | 'unwatch';
  request: unknown;
}

/** Opens a watch on every key under `prefix`, from `startRevision`, with previous values. */
export interface WatchRequest {
  watchId: number;
  prefix: string;
  startRevision: number;
}

/** A key as it crosses threads: bytes arrive as a Uint8Array. */
export interface ThreadKV {
  key: string;
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
}

/**
 * What a call answers, cut down to what the API server reads, since every
 * field costs a copy: a range's keys, or a transaction's outcome with the
 * keys of its first read (the failure branch reads the guarded key).
 */
export interface KVResult {
  revision: number;
  kvs: ThreadKV[];
  succeeded?: boolean;
  more?: boolean;
  count?: number;
}

/** One change a watch saw. A delete carries the value it removed as `previous`. */
export interface ThreadWatchEvent {
  key: string;
  deleted: boolean;
  modRevision: number;
  value: Uint8Array;
  previous?: { value: Uint8Array; modRevision: number };
}

/** From the thread: a call's answer, a watch's events, or the end of a watch. */
export type ThreadMessage =
  | { id: number; result?: KVResult; error?: { name: string; message: string } }
  | { watchId: number; events: ThreadWatchEvent[] }
  | { watchId: number; failed: string };
