import { isNotFound } from '../../client/api-error.js';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Several failures as one error, worded as Go's aggregate: the message alone, or "[a, b]". */
export function aggregate(errors: unknown[]): Error | undefined {
  const messages = [...new Set(errors.map(messageOf))];
  if (!messages.length) return undefined;
  return new Error(messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
}

/** A create refused because the namespace is going away: retrying cannot help. */
export function isNamespaceTerminating(err: unknown): boolean {
  return ((err as { details?: { causes?: Array<{ reason?: string }> } }).details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** Wraps a failed request with what was being done, keeping the server's words. */
export function failed(what: string, err: unknown): Error {
  return new Error(`${what}: ${messageOf(err)}`);
}

/** A delete that finds the object gone already succeeded. */
export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
