/**
 * NATS subjects as Skiff grants them: dot-separated tokens of letters, digits,
 * `_` and `-`; `*` stands for one token and `>` for the rest, last only.
 * Stricter than NATS itself, so a subject is always safe to quote in
 * nats-server's configuration and means the same thing there and in a client.
 */
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The token every user's inbox lives under; the server config hands each user its own. */
export const INBOX_ROOT = '_INBOX';

/** Throws a one-line error unless `subject` is a valid subject (wildcards allowed). */
export function validateSubject(subject: string): void {
  if (typeof subject !== 'string' || subject === '') throw new Error('NATS subject must be a non-empty string');
  const tokens = subject.split('.');
  tokens.forEach((token, i) => {
    if (token === '>' && i === tokens.length - 1) return;
    if (token === '*' || TOKEN.test(token)) return;
    if (token === '>') throw new Error(`NATS subject ${JSON.stringify(subject)}: '>' may only be the last token`);
    throw new Error(`NATS subject ${JSON.stringify(subject)}: token ${JSON.stringify(token)} must be '*', '>' or letters, digits, '_' and '-'`);
  });
}

/**
 * The inbox prefix of `user`: replies to its requests arrive under
 * `<prefix>.>`, which only that user may subscribe to, so no component can
 * read the answers meant for another.
 */
export function inboxPrefix(user: string): string {
  return `${INBOX_ROOT}.${user}`;
}
