import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from '../../../api/protobuf/wire-decoder.js';
import { badRequest, tooLarge, unsupportedMediaType } from '../../../api/status.js';
import { MAX_NESTING_DEPTH, MAX_YAML_NESTING_DEPTH, scanJsonText, yamlNestingBound } from '../../../api/validation/json-text.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the request body, refusing anything over 3 MiB before buffering it all. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes a JSON or YAML body into one JSON value. Keys a JSON object repeats
 * are appended to `duplicateFields` when given: JSON.parse keeps the last
 * silently, kube-apiserver warns about each (or refuses it when strict).
 */
export function decodeBody(body: Buffer, type: string, accepted: string[], duplicateFields?: string[]): unknown {
  if (!accepted.includes(type)) throw unsupportedMediaType(type);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  if (type.endsWith('yaml')) {
    const depth = yamlNestingBound(text, MAX_NESTING_DEPTH);
    if (depth > MAX_NESTING_DEPTH) throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    if (depth > MAX_YAML_NESTING_DEPTH) {
      throw badRequest(`error converting YAML to JSON: YAML nested deeper than ${MAX_YAML_NESTING_DEPTH} levels is not supported; send the body as JSON`);
    }
    try {
      const docs = parseYaml(text, { strict: true, uniqueKeys: true, prettyErrors: false, maxAliasCount: 100 });
      return docs;
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error; the body may be a Secret, so only the position is kept.
    const reason = (err as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, '');
    throw badRequest(`couldn't get version/kind; json parse error: ${reason}`);
  }
  const report = scanJsonText(text);
  if (report.tooDeep) throw badRequest(`couldn't get version/kind; json parse error: invalid character '${report.tooDeep}' exceeded max depth`);
  duplicateFields?.push(...report.duplicateFields);
  return value;
}

/** What client-go's typed clients (and so kubectl create) send by default. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Decodes an object body (create, update); anything but a JSON object is a 400. */
export function decodeObject(body: Buffer, type: string, duplicateFields?: string[]): Record<string, any> {
  if (type === PROTOBUF) return decodeProtobufObject(body);
  const value = decodeBody(body, type, ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', ''], duplicateFields);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`couldn't get version/kind; json parse error: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct`);
  }
  return value as Record<string, any>;
}
