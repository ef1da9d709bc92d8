type Fields = Record<string, unknown>;

function write(level: string, msg: string, fields: Fields = {}): void {
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');
}

/** Structured JSON lines on stderr: every component logs this way. */
export const log = {
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
};
