import { randomBytes } from 'node:crypto';

/** Base64url text: safe in nats-server's configuration without escaping, and never read as a bcrypt hash. */
const ALPHABET = /^[A-Za-z0-9_-]+$/;
const MIN_LENGTH = 32;

/** A new random password of 256 bits, as base64url. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Throws a one-line error unless `password` looks machine-made: long and
 * base64url. Skiff's NATS passwords are random secrets, not memorable ones,
 * which is what makes storing them unhashed in a 0600 file acceptable.
 */
export function validatePassword(user: string, password: string): void {
  if (typeof password !== 'string' || password.length < MIN_LENGTH) {
    throw new Error(`NATS user ${JSON.stringify(user)}: password must be at least ${MIN_LENGTH} characters (use generatePassword())`);
  }
  if (!ALPHABET.test(password)) throw new Error(`NATS user ${JSON.stringify(user)}: password must be base64url (letters, digits, '_' and '-')`);
}
