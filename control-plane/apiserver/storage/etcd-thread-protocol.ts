/** Messages between the API server's event loop and its etcd thread. */
export interface KVCall {
  id: number;
  method: 'range' | 'txn' | 'compact';
  request: unknown;
}

export interface KVReply {
  id: number;
  result?: unknown;
  error?: { name: string; message: string };
}
