import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './token-file.js';

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.has(pathname) || pathname.startsWith('/healthz/') || pathname.startsWith('/livez/') || pathname.startsWith('/readyz/');
}

/** The user behind a request's bearer token, or undefined when it has none that is valid. */
export function authenticate(req: IncomingMessage, tokens: Map<string, UserInfo>): UserInfo | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return undefined;
  const presented = Buffer.from(match[1]);
  for (const [token, user] of tokens) {
    const known = Buffer.from(token);
    if (known.length === presented.length && timingSafeEqual(known, presented)) return user;
  }
  return undefined;
}
