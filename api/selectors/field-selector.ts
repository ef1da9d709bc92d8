import { badRequest } from '../status.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  /** Unescaped. */
  value: string;
}

/** Reads one selectable field of an object; undefined reads as "". */
export type FieldGetter = (name: string) => string | undefined;

/** Backslash-escapes `\`, `,` and `=` so a literal value survives parsing. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  matches(getField: FieldGetter): boolean {
    return this.requirements.every((r) => ((getField(r.field) ?? '') === r.value) === (r.operator !== '!='));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** The field names the selector reads, in parse order. */
  fields(): string[] {
    return this.requirements.map((r) => r.field);
  }

  /** The single value `field` must equal, letting callers use an index. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Splits on commas that are not backslash-escaped, keeping escapes for unescape(). */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescape(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      // Kubernetes prints the offending rune as its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

const OPERATORS = ['!=', '==', '='] as const;

/**
 * Parses the `fieldSelector` query parameter (`a=b`, `a==b`, `a!=b`, joined
 * by commas). Field names are not trimmed or checked here: callers reject
 * names they cannot select on with requireSupportedFields. Terms are sorted
 * like Kubernetes sorts them, so the first unsupported field reported is
 * the one kube-apiserver would report.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of selector === '' ? [] : splitTerms(selector).sort()) {
    if (term === '') continue;
    let found: FieldRequirement | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      const op = OPERATORS.find((o) => term.startsWith(o, i));
      if (op) found = { field: term.slice(0, i), operator: op, value: unescape(term.slice(i + op.length)) };
    }
    if (!found) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    requirements.push(found);
  }
  return new FieldSelector(requirements);
}

/** Throws 400 `field label not supported: <name>` for the first field not in `supported`. */
export function requireSupportedFields(selector: FieldSelector, supported: ReadonlySet<string> | readonly string[]): void {
  const allowed = supported instanceof Set ? supported : new Set(supported as readonly string[]);
  for (const field of selector.fields()) {
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
  }
}
