import { mkdirSync, openSync, createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { log } from '../../../client/log.js';
import { auditEvent, type AuditInput } from './event.js';
import { shouldAudit } from './policy.js';

/**
 * kube-apiserver's `--audit-log-path`: one audit.k8s.io/v1 Event per line,
 * appended to a file, or written to stdout for `-`. Each event is a single
 * write on one stream, so concurrent requests never interleave within a
 * line; the stream buffers while the disk catches up rather than blocking
 * a request or dropping its event.
 */
export class AuditLog {
  private readonly out: Writable;
  private readonly ownsStream: boolean;
  /** Writes handed to a stream this log does not end (stdout), not yet flushed. */
  private unflushed = 0;
  private flushed?: () => void;
  private closing?: Promise<void>;
  private failure?: Error;
  private readonly onError = (err: Error) => {
    if (this.failure) return;
    this.failure = err;
    log.error('audit log write failed; later events are lost', { path: this.path, error: err.message });
  };

  /** Opens (creating it and its folder if needed) the file now, so a bad path stops the server at start. */
  constructor(readonly path: string) {
    if (path === '-') {
      this.out = process.stdout;
      this.ownsStream = false;
    } else {
      let fd: number;
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        fd = openSync(path, 'a', 0o600);
      } catch (err) {
        throw new Error(`audit log ${path}: ${(err as Error).message}`);
      }
      this.out = createWriteStream(path, { fd });
      this.ownsStream = true;
    }
    this.out.on('error', this.onError);
  }

  /** Records the request if the policy wants it. Never throws: auditing must not fail a request already answered. */
  record(input: AuditInput): void {
    if (!shouldAudit(input.verb, input.code)) return;
    const event = auditEvent(input);
    if (this.closing || this.failure) {
      log.warn(`audit event dropped: the audit log ${this.failure ? 'failed' : 'is closed'}`, { auditID: event.auditID, verb: event.verb, requestURI: event.requestURI });
      return;
    }
    const line = `${JSON.stringify(event)}\n`;
    if (this.ownsStream) {
      this.out.write(line);
      return;
    }
    this.unflushed++;
    this.out.write(line, () => {
      if (--this.unflushed === 0) this.flushed?.();
    });
  }

  /** Flushes every recorded event and closes the file; rejects if a write failed. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (this.ownsStream) {
      this.out.end();
      await finished(this.out).catch((err: Error) => this.onError(err));
    } else if (this.unflushed > 0) {
      await new Promise<void>((resolve) => (this.flushed = resolve));
    }
    this.out.off('error', this.onError);
    if (this.failure) throw new Error(`audit log ${this.path}: ${this.failure.message}`);
  }
}
