import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { UserInfo } from './user-info.js';

export type { UserInfo } from './user-info.js';

/**
 * kube-apiserver's static token file: CSV lines `token,user,uid[,"group1,group2"]`.
 * A malformed line stops the server at start rather than being skipped.
 */
export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const fields = splitCsv(line);
    if (fields.length < 3 || !fields[0] || !fields[1]) {
      throw new Error(`${source}: line ${i + 1}: expected token,user,uid[,"groups"]`);
    }
    const [token, name, uid, groups = ''] = fields;
    if (tokens.has(token)) throw new Error(`${source}: line ${i + 1}: duplicate token`);
    tokens.set(token, { name, uid, groups: groups.split(',').map((g) => g.trim()).filter(Boolean) });
  });
  return tokens;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur.trim()); cur = ''; }
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

export function loadTokenFile(path: string): Map<string, UserInfo> {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

/** The user a static token names, compared in constant time. */
export function userForToken(tokens: Map<string, UserInfo>, presented: string): UserInfo | undefined {
  const bytes = Buffer.from(presented);
  for (const [token, user] of tokens) {
    const known = Buffer.from(token);
    if (known.length === bytes.length && timingSafeEqual(known, bytes)) return user;
  }
  return undefined;
}
