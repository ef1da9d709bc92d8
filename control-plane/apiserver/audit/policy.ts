const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * Skiff's fixed audit policy: every mutating request, whatever its outcome,
 * and every request refused for want of credentials (401) or permission
 * (403); reads and watches that were let through are not recorded.
 */
export function shouldAudit(verb: string, code: number): boolean {
  return MUTATING.has(verb) || code === 401 || code === 403;
}
