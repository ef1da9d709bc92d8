import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kind } from '../../../api/kind.js';
import type { RequestInfo } from '../request-info.js';
import type { ResourceStore } from '../registry/resource-store.js';
import type { Format } from '../http/respond.js';
import type { KObject } from '../../../api/kind.js';
import type { UserInfo } from '../auth/user-info.js';

/** One API request on one kind, after routing and authentication. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  kind: Kind;
  store: ResourceStore;
  format: Format;
  /** The authenticated user's name, for audit and managedFields. */
  user: string;
  userInfo: UserInfo;
  /**
   * Validating admission for this request (node restriction, RBAC
   * escalation): runs on the object a write would store, with the stored
   * one on updates, and throws a Status to refuse it.
   */
  admit?: (obj: KObject, old?: KObject) => Promise<void>;
  /** Warnings for the response's Warning headers (unknown fields). */
  warnings: string[];
}
