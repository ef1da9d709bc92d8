import type { Cause } from './validation/field-errors.js';

/** A metav1.Status failure: every error the API answers with is one of these. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: Cause[]; retryAfterSeconds?: number; uid?: string },
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

interface Target { group: string; resource: string; name?: string }

const qualified = (t: Target): string => (t.group ? `${t.resource}.${t.group}` : t.resource);
const details = (t: Target) => ({ name: t.name, group: t.group || undefined, kind: t.resource });

export const notFound = (t: Target) =>
  new StatusError(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, details(t));

export const alreadyExists = (t: Target) =>
  new StatusError(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, details(t));

export const conflict = (t: Target, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, details(t));

/** A cause as the API publishes it: the message without the field, which has its own member. */
const published = (c: Cause): Cause => ({ ...c, message: c.message.startsWith(`${c.field}: `) ? c.message.slice(c.field.length + 2) : c.message });

export const invalid = (kind: string, group: string, name: string, causes: Cause[]) =>
  new StatusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.length === 1 ? causes[0].message : '[' + causes.map((c) => c.message).join(', ') + ']'}`,
    { name, group: group || undefined, kind, causes: causes.map(published) });

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const gone = (message: string) => new StatusError(410, 'Expired', message);

export const methodNotAllowed = (message: string) => new StatusError(405, 'MethodNotAllowed', message);

export const forbidden = (t: Target, message: string) =>
  new StatusError(403, 'Forbidden', `${qualified(t)} "${t.name ?? ''}" is forbidden: ${message}`, details(t));

export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const unsupportedMediaType = (contentType: string) =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got ${JSON.stringify(contentType)})`);

export const tooLarge = () => new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');

export const notAcceptable = (accept: string) =>
  new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io (got ${JSON.stringify(accept)})`);

export const timeout = (message: string, retryAfterSeconds = 1) =>
  new StatusError(504, 'Timeout', message, { retryAfterSeconds });

export const internal = (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
