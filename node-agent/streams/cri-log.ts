/**
 * The CRI container log format the runtime writes (one record per line:
 * `<RFC 3339 nano time> <stdout|stderr> <P|F> <content>`, P for a partial
 * line continued by the next record), read the way the kubelet serves
 * `kubectl logs`: records joined back into lines, optionally prefixed with
 * their time, filtered by time, the last N lines, at most N bytes.
 */
export interface LogRecord {
  time: string;
  timeMs: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

export function parseRecord(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const time = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return undefined;
  return { time, timeMs, stream, partial: tag.split(':').includes('P'), content: c < 0 ? '' : line.slice(c + 1) };
}

export interface LogFormat {
  timestamps: boolean;
  sinceMs?: number;
}

/** What one record prints as: its content, a newline when the line ends with it, its time first with timestamps. */
export function formatRecord(r: LogRecord, continuation: boolean, f: LogFormat): string {
  const prefix = f.timestamps && !continuation ? `${r.time} ` : '';
  return `${prefix}${r.content}${r.partial ? '' : '\n'}`;
}

/** Splits text into complete records and the unterminated rest (a record still being written). */
export function splitRecords(text: string): { records: LogRecord[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { records: [], rest: text };
  const records = text.slice(0, end).split('\n').map(parseRecord).filter((r): r is LogRecord => !!r);
  return { records, rest: text.slice(end + 1) };
}

/** The records of the last `lines` lines (a line is one or more partial records and a full one). */
export function tail(records: LogRecord[], lines: number): LogRecord[] {
  if (lines <= 0) return [];
  let seen = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (!records[i].partial || i === records.length - 1) {
      if (seen === lines) return records.slice(i + 1);
      seen++;
    }
  }
  return records;
}
