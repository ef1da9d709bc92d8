import { badRequest } from '../status.js';
import type { FieldSpec, MessageTable, Scalar } from './field-table.js';
import { LIST_WRAPPERS, SPECIAL } from './field-table.js';
import { messages, topLevel } from './messages.js';

/** The four bytes that open every Kubernetes protobuf body. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw badRequest('protobuf: varint too long');
    }
  }

  bytes(): Buffer {
    const len = Number(this.varint());
    if (len < 0 || this.pos + len > this.end) throw badRequest('protobuf: length past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw badRequest('protobuf: truncated field');
  }
}

function scalar(type: Scalar, wireType: number, r: Reader): unknown {
  switch (type) {
    case 'string': return r.bytes().toString('utf8');
    case 'bytes': return r.bytes().toString('base64');
    case 'bool': return r.varint() !== 0n;
    case 'int32': return Number(BigInt.asIntN(32, r.varint()));
    case 'int64': return Number(BigInt.asIntN(64, r.varint()));
    case 'double': {
      if (wireType !== 1) throw badRequest('protobuf: double field with the wrong wire type');
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case 'float': {
      if (wireType !== 5) throw badRequest('protobuf: float field with the wrong wire type');
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
  }
}

/** metav1.Time and MicroTime write their zero value as JSON null. */
function rfc3339(seconds: number, nanos: number, micro: boolean): string | null {
  if (seconds === 0 && nanos === 0) return null;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

/** The JSON value of one of apimachinery's special messages. */
function special(name: string, buf: Buffer): unknown {
  const fields = new Map<number, unknown>();
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const key = Number(r.varint());
    const no = key >>> 3;
    const wt = key & 7;
    if (wt === 0) fields.set(no, Number(BigInt.asIntN(64, r.varint())));
    else if (wt === 2) fields.set(no, r.bytes());
    else r.skip(wt);
  }
  const str = (n: number) => (fields.get(n) as Buffer | undefined)?.toString('utf8');
  switch (name) {
    case 'meta.Time': return rfc3339(Number(fields.get(1) ?? 0), Number(fields.get(2) ?? 0), false);
    case 'meta.MicroTime': return rfc3339(Number(fields.get(1) ?? 0), Number(fields.get(2) ?? 0), true);
    case 'resource.Quantity': return str(1);
    case 'intstr.IntOrString': return Number(fields.get(1) ?? 0) === 1 ? str(3) ?? '' : Number(fields.get(2) ?? 0);
    case 'meta.Duration': {
      const ns = Number(fields.get(1) ?? 0);
      return `${ns / 1e9}s`;
    }
    case 'runtime.RawExtension':
    case 'meta.FieldsV1': {
      const raw = fields.get(1) as Buffer | undefined;
      if (!raw?.length) return undefined;
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest(`protobuf: ${name} does not hold JSON`);
      }
    }
  }
  throw badRequest(`protobuf: no decoding for ${name}`);
}

function value(spec: FieldSpec['type'], wireType: number, r: Reader, path: string): unknown {
  if (typeof spec === 'string') return scalar(spec, wireType, r);
  if ('message' in spec) {
    const body = r.bytes();
    if (SPECIAL.has(spec.message)) return special(spec.message, body);
    const decoded = decodeMessage(body, spec.message, path);
    return LIST_WRAPPERS.has(spec.message) ? decoded.items ?? [] : decoded;
  }
  throw badRequest(`protobuf: unexpected map at ${path}`);
}

/** Whether kube's JSON writes this scalar: non-zero, or zero in a pointer or a field without omitempty. */
function written(field: FieldSpec, v: unknown): boolean {
  return field.pointer === true || field.always === true || (v !== '' && v !== 0 && v !== false);
}

/**
 * Decodes one message into the JSON kube-apiserver writes for it once
 * decoded into its Go struct: zero scalars of `omitempty` non-pointer fields
 * are dropped (Go clients send them all), set pointers and fields without
 * `omitempty` are kept whatever their value, and nested messages are kept.
 */
export function decodeMessage(buf: Buffer, name: string, path = name): Record<string, unknown> {
  const table: MessageTable | undefined = messages[name];
  if (!table) throw badRequest(`protobuf: message ${name} is not known to this server; send JSON instead`);
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const key = Number(r.varint());
    const no = key >>> 3;
    const wt = key & 7;
    const field = table[no];
    if (!field) throw badRequest(`protobuf: field ${no} of ${name} is not known to this server; send JSON instead`);
    const at = `${path}.${field.name}`;
    const t = field.type;
    if (typeof t === 'object' && 'map' in t) {
      const entry = new Reader(r.bytes());
      let k: unknown = '';
      let v: unknown = '';
      while (entry.pos < entry.end) {
        const ek = Number(entry.varint());
        if (ek >>> 3 === 1) k = scalar(t.map[0], ek & 7, entry);
        else if (ek >>> 3 === 2) v = value(t.map[1], ek & 7, entry, at);
        else entry.skip(ek & 7);
      }
      const m = (out[field.name] ??= {}) as Record<string, unknown>;
      m[String(k)] = v;
    } else if (field.repeated) {
      const list = (out[field.name] ??= []) as unknown[];
      if (wt === 2 && typeof t === 'string' && t !== 'string' && t !== 'bytes') {
        const inner = new Reader(r.bytes());
        while (inner.pos < inner.end) list.push(scalar(t, t === 'double' ? 1 : t === 'float' ? 5 : 0, inner));
      } else {
        list.push(value(t, wt, r, at));
      }
    } else {
      const v = value(t, wt, r, at);
      // Embedded Go structs (a probe's handler, a volume's source) sit flat in the JSON object.
      if (field.inline && typeof v === 'object' && v !== null) Object.assign(out, v);
      else if (v === undefined || (typeof t === 'string' && !written(field, v))) delete out[field.name];
      else out[field.name] = v;
    }
  }
  return out;
}

export function isProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body: the magic prefix,
 * a runtime.Unknown envelope naming apiVersion and kind, and the object.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (!isProtobuf(body)) throw badRequest('protobuf: the body does not start with the Kubernetes protobuf prefix');
  const r = new Reader(body);
  r.pos = 4;
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  while (r.pos < r.end) {
    const key = Number(r.varint());
    const no = key >>> 3;
    if (no === 1) {
      const tm = new Reader(r.bytes());
      while (tm.pos < tm.end) {
        const k = Number(tm.varint());
        if (k >>> 3 === 1) apiVersion = tm.bytes().toString();
        else if (k >>> 3 === 2) kind = tm.bytes().toString();
        else tm.skip(k & 7);
      }
    } else if (no === 2) raw = r.bytes();
    else r.skip(key & 7);
  }
  const name = topLevel[`${apiVersion}/${kind}`];
  if (!name) throw badRequest(`protobuf: ${apiVersion}/${kind} is not known to this server; send JSON instead`);
  return { apiVersion, kind, ...decodeMessage(raw ?? Buffer.alloc(0), name) };
}
