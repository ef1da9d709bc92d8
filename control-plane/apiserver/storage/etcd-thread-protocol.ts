/** Messages between the API server's event loop and its etcd thread. */
export interface KVCall {
  id: number;
  method: 'range' | 'txn' | 'compact';
  request: unknown;
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

export interface KVReply {
  id: number;
  result?: KVResult;
  error?: { name: string; message: string };
}
