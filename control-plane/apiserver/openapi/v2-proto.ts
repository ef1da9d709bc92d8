/**
 * Protocol buffer encoding of a Swagger 2.0 document as gnostic's
 * openapi.v2.Document (github.com/google/gnostic-models/openapiv2), the form
 * client-go's discovery client asks /openapi/v2 for. Only the parts of
 * Swagger 2.0 the generated documents use are encoded; vendor extensions,
 * enums and defaults travel as YAML text (JSON is valid YAML).
 */

type Json = Record<string, unknown>;

const encoder = new TextEncoder();

/** One protobuf message being written; fields are appended in order. */
class Message {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private key(field: number, wire: number): void {
    this.push(varint(field * 8 + wire));
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.push(varint(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: unknown): this {
    if (typeof value === 'string' && value !== '') this.bytes(field, encoder.encode(value));
    return this;
  }

  strings(field: number, values: unknown): this {
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') this.bytes(field, encoder.encode(v));
    return this;
  }

  bool(field: number, value: unknown): this {
    if (value === true) {
      this.key(field, 0);
      this.push(Uint8Array.of(1));
    }
    return this;
  }

  int64(field: number, value: unknown): this {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
      this.key(field, 0);
      this.push(varint(value));
    }
    return this;
  }

  double(field: number, value: unknown): this {
    if (typeof value === 'number' && value !== 0) {
      this.key(field, 1);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value, true);
      this.push(b);
    }
    return this;
  }

  message(field: number, value: Message | undefined): this {
    if (value) this.bytes(field, value.finish());
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  // Non-negative integers below 2^53 only, which is all a document holds.
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const extensions = (o: Json): Array<[string, unknown]> => Object.entries(o).filter(([k]) => k.startsWith('x-'));

/** openapi.v2.Any: the value as YAML text. */
function any(value: unknown): Message {
  return new Message().string(2, `${JSON.stringify(value)}\n`);
}

/** repeated NamedAny vendor_extension. */
function vendorExtensions(m: Message, field: number, o: Json): Message {
  for (const [name, value] of extensions(o)) m.message(field, new Message().string(1, name).message(2, any(value)));
  return m;
}

function schema(s: Json): Message {
  const m = new Message()
    .string(1, s.$ref)
    .string(2, s.format)
    .string(3, s.title)
    .string(4, s.description);
  if (s.default !== undefined) m.message(5, any(s.default));
  m.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength).int64(12, s.minLength).string(13, s.pattern).int64(14, s.maxItems).int64(15, s.minItems)
    .bool(16, s.uniqueItems).int64(17, s.maxProperties).int64(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) m.message(20, any(e));
  if (isObject(s.additionalProperties)) m.message(21, new Message().message(1, schema(s.additionalProperties)));
  else if (typeof s.additionalProperties === 'boolean') m.message(21, new Message().bool(2, s.additionalProperties));
  if (s.type !== undefined) m.message(22, new Message().strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items !== undefined) {
    const items = new Message();
    for (const i of Array.isArray(s.items) ? s.items : [s.items]) if (isObject(i)) items.message(1, schema(i));
    m.message(23, items);
  }
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) m.message(24, schema(a));
  if (isObject(s.properties)) {
    const props = new Message();
    for (const [name, value] of Object.entries(s.properties)) if (isObject(value)) props.message(1, new Message().string(1, name).message(2, schema(value)));
    m.message(25, props);
  }
  m.string(26, s.discriminator).bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, any(s.example));
  return vendorExtensions(m, 31, s);
}

/** A non-body parameter: query, path or header ones have the same leading fields, then differ by one. */
function nonBodyParameter(p: Json): Message {
  const m = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
  if (p.in === 'query') {
    m.bool(5, p.allowEmptyValue).string(6, p.type).string(7, p.format).bool(20, p.uniqueItems);
    return vendorExtensions(m, 23, p);
  }
  m.string(5, p.type).string(6, p.format).bool(19, p.uniqueItems);
  return vendorExtensions(m, 22, p);
}

const NON_BODY_FIELD: Record<string, number> = { header: 1, formData: 2, query: 3, path: 4 };

function parametersItem(p: Json): Message {
  if (typeof p.$ref === 'string') return new Message().message(2, new Message().string(1, p.$ref).string(2, p.description));
  let param: Message;
  if (p.in === 'body') {
    const body = new Message().string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
    if (isObject(p.schema)) body.message(5, schema(p.schema));
    param = new Message().message(1, vendorExtensions(body, 6, p));
  } else {
    param = new Message().message(2, new Message().message(NON_BODY_FIELD[String(p.in)] ?? 3, nonBodyParameter(p)));
  }
  return new Message().message(1, param);
}

function responses(r: Json): Message {
  const m = new Message();
  for (const [code, value] of Object.entries(r)) {
    if (code.startsWith('x-') || !isObject(value)) continue;
    let rv: Message;
    if (typeof value.$ref === 'string') {
      rv = new Message().message(2, new Message().string(1, value.$ref).string(2, value.description));
    } else {
      const resp = new Message().string(1, value.description);
      if (isObject(value.schema)) resp.message(2, new Message().message(1, schema(value.schema)));
      rv = new Message().message(1, vendorExtensions(resp, 5, value));
    }
    m.message(1, new Message().string(1, code).message(2, rv));
  }
  return vendorExtensions(m, 2, r);
}

function operation(o: Json): Message {
  const m = new Message().strings(1, o.tags).string(2, o.summary).string(3, o.description).string(5, o.operationId)
    .strings(6, o.produces).strings(7, o.consumes);
  if (Array.isArray(o.parameters)) for (const p of o.parameters) if (isObject(p)) m.message(8, parametersItem(p));
  if (isObject(o.responses)) m.message(9, responses(o.responses));
  m.strings(10, o.schemes).bool(11, o.deprecated);
  return vendorExtensions(m, 13, o);
}

const METHOD_FIELD: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(p: Json): Message {
  const m = new Message().string(1, p.$ref);
  for (const [method, field] of Object.entries(METHOD_FIELD)) if (isObject(p[method])) m.message(field, operation(p[method] as Json));
  if (Array.isArray(p.parameters)) for (const x of p.parameters) if (isObject(x)) m.message(9, parametersItem(x));
  return vendorExtensions(m, 10, p);
}

function securityDefinition(d: Json): Message {
  // Only API keys (the bearer token) are published.
  const key = new Message().string(1, d.type).string(2, d.name).string(3, d.in).string(4, d.description);
  return new Message().message(2, vendorExtensions(key, 5, d));
}

/** Encodes a Swagger 2.0 document (as JSON) into gnostic's openapi.v2.Document. */
export function encodeSwaggerProto(doc: Json): Uint8Array {
  const m = new Message().string(1, doc.swagger);
  if (isObject(doc.info)) {
    const info = doc.info;
    m.message(2, vendorExtensions(new Message().string(1, info.title).string(2, info.version).string(3, info.description), 7, info));
  }
  m.string(3, doc.host).string(4, doc.basePath).strings(5, doc.schemes).strings(6, doc.consumes).strings(7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = new Message();
    for (const [name, value] of Object.entries(doc.paths)) {
      if (!name.startsWith('x-') && isObject(value)) paths.message(2, new Message().string(1, name).message(2, pathItem(value)));
    }
    m.message(8, vendorExtensions(paths, 1, doc.paths));
  }
  if (isObject(doc.definitions)) {
    const defs = new Message();
    for (const [name, value] of Object.entries(doc.definitions)) if (isObject(value)) defs.message(1, new Message().string(1, name).message(2, schema(value)));
    m.message(9, defs);
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (!isObject(req)) continue;
      const r = new Message();
      for (const [name, scopes] of Object.entries(req)) r.message(1, new Message().string(1, name).message(2, new Message().strings(1, scopes)));
      m.message(12, r);
    }
  }
  if (isObject(doc.securityDefinitions)) {
    const defs = new Message();
    for (const [name, value] of Object.entries(doc.securityDefinitions)) if (isObject(value)) defs.message(1, new Message().string(1, name).message(2, securityDefinition(value)));
    m.message(13, defs);
  }
  return vendorExtensions(m, 16, doc).finish();
}
