/** AWS error codes, read in one place: the SDK puts the code in an error's `name`. */

export function awsErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { name?: string; Code?: string; code?: string };
  return e.Code ?? e.code ?? e.name;
}

const THROTTLING = new Set([
  'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
  'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException',
]);

/** AWS asked us to slow down. */
export const isThrottling = (err: unknown): boolean => THROTTLING.has(awsErrorCode(err) ?? '');

/** The error is one of the given codes. */
export const hasCode = (err: unknown, ...codes: string[]): boolean => codes.includes(awsErrorCode(err) ?? '');

/** A one-line description of an AWS error for events and logs: the code and the message. */
export function describeAwsError(err: unknown): string {
  const code = awsErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
