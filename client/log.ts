type Fields = Record<string, unknown>;

function write(level: string, msg: string, fields: Fields = {}): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}

/** Structured JSON lines on stderr: every Skiff component logs this way. */
export const log = {
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
};

/** Receives the errors shared machinery recovers from, with what it was doing. */
export type ErrorReporter = (err: unknown, context: Record<string, unknown>) => void;

/** The default reporter: one error line with the context it came from. */
export const logError: ErrorReporter = (err, context) => {
  log.error(err instanceof Error ? err.message : String(err), context);
};
