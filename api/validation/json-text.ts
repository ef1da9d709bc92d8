/**
 * kube-apiserver's JSON decoder (Go's encoding/json scanner) refuses
 * documents nested more than 10,000 levels deep. Skiff keeps the same bound:
 * deeper bodies would overflow the stack of the recursive code downstream
 * (patching, cloning, serializing), so they are refused before it runs.
 */
export const MAX_NESTING_DEPTH = 10000;

export interface JsonTextReport {
  /** The bracket that went past MAX_NESTING_DEPTH, if one did. */
  tooDeep?: string;
  /** Paths (`metadata.name`, `spec.containers[0].name`) of keys given twice in one object. */
  duplicateFields: string[];
}

interface Frame {
  /** Keys seen so far, for an object; undefined for an array. */
  keys?: Set<string>;
  /** Next array index, or whether the next string in an object is a key. */
  index: number;
  expectKey: boolean;
  /** The last key read (object) — the segment a nested value sits under. */
  key: string;
}

function pathOf(stack: Frame[], last: string): string {
  let path = '';
  for (let i = 0; i < stack.length - 1; i++) {
    const f = stack[i];
    path += f.keys ? (path ? `.${f.key}` : f.key) : `[${f.index}]`;
  }
  return path ? `${path}.${last}` : last;
}

/**
 * Scans JSON text that JSON.parse already accepted, without recursion, for
 * what JSON.parse hides: nesting past the decoder's limit (reported at the
 * first bracket over it, as Go does) and keys repeated in one object (JSON.parse
 * silently keeps the last, Go's strict decoder names each one).
 */
export function scanJsonText(text: string): JsonTextReport {
  const report: JsonTextReport = { duplicateFields: [] };
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_NESTING_DEPTH) {
        report.tooDeep = c;
        return report;
      }
      stack.push({ keys: c === '{' ? new Set() : undefined, index: 0, expectKey: c === '{', key: '' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) report.duplicateFields.push(pathOf(stack, key));
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
    }
  }
  return report;
}

/**
 * The YAML parser recurses per level and exhausts the stack (at worst in a
 * way V8 cannot turn into an exception) long before 10,000 levels: YAML
 * bodies are bounded here, and anything deeper is best sent as JSON.
 */
export const MAX_YAML_NESTING_DEPTH = 500;

/**
 * An upper bound on how deep a YAML document nests, stopping early once past
 * `limit`: flow brackets open on the line, plus its indentation, plus the
 * compact `- ` entries that start it. Quoted scalars and comments are skipped.
 */
export function yamlNestingBound(text: string, limit: number): number {
  let flow = 0;
  let deepest = 0;
  let lineStart = true;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (lineStart) {
      let j = i;
      while (text[j] === ' ' || (text[j] === '-' && text[j + 1] === ' ')) j += text[j] === ' ' ? 1 : 2;
      line = j - i;
      lineStart = false;
    }
    if (c === '\n') {
      lineStart = true;
      continue;
    }
    if (c === '{' || c === '[') flow++;
    else if (c === '}' || c === ']') flow--;
    else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === "'") {
      for (i++; i < text.length && text[i] !== "'"; i++);
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    }
    deepest = Math.max(deepest, flow + line);
    if (deepest > limit) return deepest;
  }
  return deepest;
}
