import type { KObject } from '../../../api/kind.js';
import type { TxnExtras } from '../storage/etcd-kv.js';

/**
 * Work that must commit in the same etcd transaction as an object write,
 * such as claiming a Service's ClusterIP. `retry` tells the store that a
 * failed extra guard is worth another attempt (a randomly chosen value was
 * taken meanwhile); otherwise `conflict` explains the clash.
 */
export interface WriteHooks {
  create?(obj: KObject): Promise<HookResult>;
  update?(obj: KObject, old: KObject): Promise<HookResult>;
  delete?(old: KObject): Promise<HookResult>;
}

export interface HookResult extends TxnExtras {
  /** Raised when the extra guards fail and a retry cannot help. */
  conflict?: () => Error;
}
