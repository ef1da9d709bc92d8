export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status: what the API server answers with when a request fails. */
export interface Status {
  kind?: string;
  apiVersion?: string;
  metadata?: Record<string, unknown>;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

// The reasons client-go assigns when the body carries no Status of its own.
const reasonsByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A failed API request, carrying the server's Status. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;

  constructor(readonly status: Status, fallbackCode = 500) {
    const code = typeof status.code === 'number' && status.code > 0 ? status.code : fallbackCode;
    const reason = status.reason || reasonsByCode[code] || 'Unknown';
    super(status.message || `the server answered ${code} ${reason}`);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = status.details;
  }

  /**
   * Builds the error from an HTTP answer; a body that is not a Status (a proxy's
   * HTML page, plain text) still yields a Status with the code's usual reason.
   */
  static fromResponse(httpCode: number, body: string): ApiError {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && (parsed as Status).kind === 'Status') {
      return new ApiError(parsed as Status, httpCode);
    }
    const text = body.trim().slice(0, 1024);
    return new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: httpCode,
      reason: reasonsByCode[httpCode] ?? 'Unknown',
      message: text || `the server answered ${httpCode}`,
    }, httpCode);
  }
}

const hasCode = (err: unknown, code: number): boolean => err instanceof ApiError && err.code === code;

export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isAlreadyExists = (err: unknown): boolean => hasCode(err, 409) && (err as ApiError).reason === 'AlreadyExists';
/** An optimistic-concurrency failure: the object changed since it was read. */
export const isConflict = (err: unknown): boolean => hasCode(err, 409) && (err as ApiError).reason !== 'AlreadyExists';
export const isInvalid = (err: unknown): boolean => hasCode(err, 422);
export const isForbidden = (err: unknown): boolean => hasCode(err, 403);
export const isTooManyRequests = (err: unknown): boolean => hasCode(err, 429);
/** The requested resourceVersion was compacted away; only a fresh list recovers. */
export const isExpired = (err: unknown): boolean => hasCode(err, 410);

/** A create refused because its namespace is being deleted (the NamespaceTerminating cause): retrying cannot help. */
export function isNamespaceTerminating(err: unknown): boolean {
  const causes = (err as { details?: { causes?: Array<{ reason?: string }> } } | undefined)?.details?.causes;
  return !!causes?.some((c) => c.reason === 'NamespaceTerminating');
}

/** A delete that finds the object gone already succeeded: rethrows anything else. */
export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Wraps a failure with what was being done, keeping the original words (Go's fmt.Errorf("%s: %w")). */
export function wrapError(what: string, err: unknown): Error {
  return new Error(`${what}: ${messageOf(err)}`, { cause: err });
}

/**
 * utilerrors.Aggregate: the failures of several independent steps as one
 * error, worded as kube words it: one message alone, several in brackets,
 * each distinct message once.
 */
export class Aggregate extends Error {
  constructor(readonly errors: unknown[]) {
    const messages = [...new Set(errors.map(messageOf))];
    super(messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
    this.name = 'Aggregate';
  }
}

/** utilerrors.NewAggregate: undefined when nothing failed. */
export const aggregate = (errors: unknown[]): Aggregate | undefined => (errors.length ? new Aggregate(errors) : undefined);
