/** Receives the errors shared machinery recovers from, with what it was doing. */
export type ErrorReporter = (err: unknown, context: Record<string, unknown>) => void;

/** The default reporter: one JSON line on stderr, like every Skiff component's log. */
export const logError: ErrorReporter = (err, context) => {
  const error = err instanceof Error ? err.message : String(err);
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', ...context, error }) + '\n');
};
