import test, { type ExecutionContext } from 'ava';
import { createHmac, createPublicKey, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, exportJWK } from 'jose';
import { clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, type Reply } from '../helpers/http.js';
import { loadOrCreateCA, serialNumber, type CertificateAuthority } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate, subjectName } from '../../control-plane/pki/issue-certificate.js';
import { ALG, generateKeys, importPrivateKey, privateKeyPem, x509 } from '../../control-plane/pki/pem.js';
import { ensureSigningKey, keyId } from '../../control-plane/apiserver/auth/service-account-token.js';

/*
 * A deterministic fuzz pass over the two ways a request proves who it is:
 * the Authorization header and the TLS client certificate. Every generated
 * credential is sent to a protected read and a protected write; none may be
 * granted anything, none may make the server fail, and a refusal is always a
 * Kubernetes Status. The generator is seeded: AUTH_FUZZ_SEED replays a run
 * (keys, certificates and the cluster's tokens are still made fresh).
 */

const SEED = Number(process.env.AUTH_FUZZ_SEED ?? 0x5eed_a7f1) >>> 0;
const SEED_NOTE = `seed 0x${SEED.toString(16)} (AUTH_FUZZ_SEED=${SEED} replays it)`;
const CONCURRENCY = 8;

/** mulberry32: small, fast and good enough to pick fuzz inputs. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  string(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

const span = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)).join('');
const B64URL = `${span(0x41, 0x5a)}${span(0x61, 0x7a)}0123456789-_`;
const LOWER_ALNUM = `${span(0x61, 0x7a)}0123456789`;
/** What Node lets a client put in a header value that is also printable: latin1 printable characters, and tabs. */
const LATIN1 = `\t${span(0x20, 0x7e)}${span(0xa0, 0xff)}`;
const b64 = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** One credential to try. */
interface Probe {
  group: string;
  name: string;
  /** The Authorization header; undefined sends none. */
  header?: string;
  tls?: { cert: string; key: string };
  /** The user this credential legitimately is, if it is a good one: it must be answered 403 naming them (no grants). */
  user?: string;
  /** With `user`: kube-apiserver accepts this credential, Skiff may too, but may also refuse it with a 401. */
  mayRefuse?: boolean;
  /** Larger than Node's header limit: the server may answer 431, or drop the connection, before any handler runs. */
  oversized?: boolean;
}

let cluster: TestCluster;
let saToken: string;
let otherAudienceToken: string;
let builderToken: string;
let deletedSaToken: string;
let robotUid: string;
let bootstrap: { id: string; secret: string };
let bootstrapDud: Record<'noAuth' | 'expired' | 'opaque' | 'wrongId', { id: string; secret: string }>;

const SECRETS = '/api/v1/namespaces/kube-system/secrets';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const SA = '/api/v1/namespaces/default/serviceaccounts';

async function tokenFor(name: string, spec: Record<string, unknown> = {}): Promise<string> {
  const r = await call(cluster, 'POST', `${SA}/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600, ...spec } });
  if (r.status !== 201) throw new Error(`TokenRequest for ${name}: ${r.status} ${r.text}`);
  return r.body.status.token as string;
}

async function bootstrapSecret(name: string, type: string, data: Record<string, string>): Promise<void> {
  const r = await call(cluster, 'POST', `${SECRETS}`, { apiVersion: 'v1', kind: 'Secret', type, metadata: { name }, stringData: data });
  if (r.status !== 201) throw new Error(`bootstrap secret ${name}: ${r.status} ${r.text}`);
}

test.before(async () => {
  cluster = await startCluster({ enableBootstrapTokenAuth: true });
  for (const name of ['robot', 'builder', 'gone']) {
    const r = await call(cluster, 'POST', SA, { metadata: { name } });
    if (r.status !== 201) throw new Error(`service account ${name}: ${r.status} ${r.text}`);
  }
  robotUid = (await call(cluster, 'GET', `${SA}/robot`)).body.metadata.uid;
  saToken = await tokenFor('robot');
  otherAudienceToken = await tokenFor('robot', { audiences: ['somewhere-else'] });
  builderToken = await tokenFor('builder');
  deletedSaToken = await tokenFor('gone');
  const deleted = await call(cluster, 'DELETE', `${SA}/gone`);
  if (deleted.status !== 200) throw new Error(`delete service account gone: ${deleted.status}`);

  // Bootstrap tokens: one good one, and four whose secret is right but whose Secret must not let it in.
  const rng = new Rng(SEED ^ 0xb007);
  const fresh = () => ({ id: rng.string(LOWER_ALNUM, 6), secret: rng.string(LOWER_ALNUM, 16) });
  const later = new Date(Date.now() + 3600_000).toISOString();
  const fields = (t: { id: string; secret: string }, extra: Record<string, string> = {}) => ({
    'token-id': t.id, 'token-secret': t.secret, 'usage-bootstrap-authentication': 'true', expiration: later, ...extra,
  });
  const TYPE = 'bootstrap.kubernetes.io/token';
  bootstrap = fresh();
  await bootstrapSecret(`bootstrap-token-${bootstrap.id}`, TYPE, fields(bootstrap));
  bootstrapDud = { noAuth: fresh(), expired: fresh(), opaque: fresh(), wrongId: fresh() };
  await bootstrapSecret(`bootstrap-token-${bootstrapDud.noAuth.id}`, TYPE, fields(bootstrapDud.noAuth, { 'usage-bootstrap-authentication': 'false' }));
  await bootstrapSecret(`bootstrap-token-${bootstrapDud.expired.id}`, TYPE, fields(bootstrapDud.expired, { expiration: new Date(Date.now() - 60_000).toISOString() }));
  await bootstrapSecret(`bootstrap-token-${bootstrapDud.opaque.id}`, 'Opaque', fields(bootstrapDud.opaque));
  // Named for one id, but its data says another.
  await bootstrapSecret(`bootstrap-token-${bootstrapDud.wrongId.id}`, TYPE, fields({ id: 'zzzzzz', secret: bootstrapDud.wrongId.secret }));
});

test.after.always(async () => {
  await cluster?.stop();
});

// ---------------------------------------------------------------- sending and judging

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

let configMapCounter = 0;

async function send(p: Probe, method: 'GET' | 'POST'): Promise<Reply | Error> {
  const body = method === 'POST' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fuzz-${configMapCounter++}` }, data: { probe: p.name.slice(0, 200) } } : undefined;
  const headers: Record<string, string> = p.header === undefined ? {} : { Authorization: p.header };
  try {
    return await withTimeout(call(cluster, method, method === 'GET' ? SECRETS : CONFIGMAPS, body, headers, { token: null, ...(p.tls ?? {}) }), 20_000);
  } catch (err) {
    return err as Error;
  }
}

const userIn403 = (body: any): string | undefined => /User "((?:[^"\\]|\\.)*)"/.exec(String(body?.message ?? ''))?.[1];

/** What was wrong with one answer, if anything; and a short label for the tally. */
function judge(p: Probe, method: string, r: Reply | Error): { problem?: string; label: string } {
  if (r instanceof Error) {
    const code = (r as NodeJS.ErrnoException).code ?? r.message;
    // A refused TLS handshake, or a connection Node drops for an oversized header, refuses the credential.
    if (p.tls || p.oversized) return { label: `dropped (${code})` };
    return { problem: `${method}: the request failed: ${code}: ${r.message}`, label: 'error' };
  }
  const label = String(r.status);
  if (r.status >= 500) return { problem: `${method}: ${r.status} ${r.text.slice(0, 300)}`, label };
  if (r.status >= 200 && r.status < 300) return { problem: `${method}: GRANTED ${r.status} ${r.text.slice(0, 300)}`, label };
  if (r.status === 401 || r.status === 403) {
    const b = r.body;
    const reason = r.status === 401 ? 'Unauthorized' : 'Forbidden';
    if (b?.kind !== 'Status' || b.apiVersion !== 'v1' || b.code !== r.status || b.status !== 'Failure' || b.reason !== reason) {
      return { problem: `${method}: ${r.status} is not a ${reason} Status: ${r.text.slice(0, 300)}`, label };
    }
    if (r.status === 403) {
      // With anonymous requests off, a 403 means the credential was taken for someone.
      const who = userIn403(b);
      if (who !== p.user) return { problem: `${method}: authenticated as ${JSON.stringify(who)}: 403 ${b.message}`, label: `403 as ${who}` };
      return { label: `403 as ${who}` };
    }
    if (p.user && !p.mayRefuse) return { problem: `${method}: a good credential for ${p.user} was refused: ${r.text.slice(0, 300)}`, label };
    return { label };
  }
  if (p.oversized && (r.status === 431 || r.status === 400)) return { label };
  return { problem: `${method}: unexpected ${r.status} ${r.text.slice(0, 300)}`, label };
}

function describe(p: Probe): string {
  if (p.header === undefined) return `${p.group}/${p.name} (no Authorization header)`;
  const h = p.header.length > 120 ? `${JSON.stringify(p.header.slice(0, 100))}… (${p.header.length} chars)` : JSON.stringify(p.header);
  return `${p.group}/${p.name}: Authorization ${h}`;
}

/** Sends every probe to the protected read and write, at most CONCURRENCY at a time; asserts nothing went wrong. */
async function fuzz(t: ExecutionContext, probes: Probe[]): Promise<void> {
  const started = Date.now();
  const tally = new Map<string, number>();
  const findings = (await pool(probes, CONCURRENCY, async (p) => {
    const problems: string[] = [];
    for (const method of ['GET', 'POST'] as const) {
      const { problem, label } = judge(p, method, await send(p, method));
      tally.set(label, (tally.get(label) ?? 0) + 1);
      if (problem) problems.push(problem);
    }
    return problems.map((x) => `${describe(p)} -> ${x}`);
  })).flat();
  t.log(`${probes.length} cases, ${probes.length * 2} requests in ${Date.now() - started} ms; answers: ${JSON.stringify(Object.fromEntries(tally))}; ${SEED_NOTE}`);
  t.deepEqual(findings, [], `${findings.length} finding(s) with ${SEED_NOTE}:\n${findings.join('\n')}`);
}

// ---------------------------------------------------------------- positive controls

test.serial('positive controls: the admin token, a client certificate, a service account token and a bootstrap token authenticate', async (t) => {
  t.is((await call(cluster, 'GET', SECRETS)).status, 200, 'the admin token reads secrets');
  const alice = await clientCertificate(cluster, 'fuzz-alice', ['fuzzers']);
  const asWho = async (opts: { token?: string; cert?: string; key?: string }) => {
    const got = await call(cluster, 'GET', SECRETS, undefined, {}, { token: null, ...opts });
    const post = await call(cluster, 'POST', CONFIGMAPS, { metadata: { name: 'fuzz-control' } }, {}, { token: null, ...opts });
    t.is(got.status, 403, got.text);
    t.is(post.status, 403, post.text);
    t.like(got.body, { kind: 'Status', code: 403, reason: 'Forbidden' });
    return [userIn403(got.body), userIn403(post.body)];
  };
  // A 403 that names the user proves authentication passed; they simply have no grants.
  t.deepEqual(await asWho(alice), ['fuzz-alice', 'fuzz-alice']);
  t.deepEqual(await asWho({ token: saToken }), ['system:serviceaccount:default:robot', 'system:serviceaccount:default:robot']);
  const boot = `system:bootstrap:${bootstrap.id}`;
  t.deepEqual(await asWho({ token: `${bootstrap.id}.${bootstrap.secret}` }), [boot, boot]);
});

// ---------------------------------------------------------------- the Authorization header

function headerProbes(): Probe[] {
  const rng = new Rng(SEED);
  const probes: Probe[] = [];
  const add = (group: string, header: string | undefined, extra: Partial<Probe> = {}) => probes.push({ group, name: `${group}#${probes.filter((p) => p.group === group).length}`, header, ...extra });
  const token = (min = 1, max = 64) => rng.string(B64URL, rng.between(min, max));
  const admin = cluster.token;

  // Shapes with nothing, or nothing usable, in them.
  for (const h of [undefined, '', ' ', '\t', '  \t ', 'Bearer', 'Bearer ', 'Bearer\t', 'Bearer \t ', 'bearer', 'BEARER', 'Bearer .', 'Bearer ..', 'Bearer ...',
    'Bearer a.b', 'Bearer a.b.c', 'Bearer a.b.c.d', 'Bearer null', 'Bearer undefined', 'Bearer ""', 'Basic', 'Basic ', 'Digest', 'Negotiate', 'Bearer=', ',', 'Bearer,Bearer']) {
    add('empty', h);
  }

  // Other schemes and odd spellings of Bearer, with random tokens.
  const schemes = ['Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'basic', 'Digest', 'Token', 'JWT', 'Negotiate', 'OAuth', 'Bearer:', 'Bearer,', 'Bearer=', 'Bearer;', 'Bear', 'Bearers', 'XBearer', 'Bearer-Token'];
  for (let i = 0; i < 45; i++) add('scheme', `${rng.pick(schemes)}${rng.pick([' ', ' ', '\t', '  ', ''])}${token()}`);
  add('scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`);
  add('scheme', `Basic ${Buffer.from(`admin:${admin}`).toString('base64')}`);
  add('scheme', `Basic ${Buffer.from(`${admin}:`).toString('base64')}`);
  add('scheme', `Basic ${Buffer.from(`${admin}:x-oauth-basic`).toString('base64')}`);
  add('scheme', 'Digest username="admin", realm="kubernetes", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/api/v1/namespaces/kube-system/secrets", response="6629fae49393a05397450978507c4ef1"');
  add('scheme', `Digest username="admin", response="${admin}"`);
  add('scheme', 'Negotiate YIIBzQYGKwYBBQUCoIIBwTCCAb2gMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHgYKKwYBBAGCNwICCg==');

  // Random printable latin1 and tabs, bare and after a Bearer scheme.
  for (let i = 0; i < 60; i++) add('latin1', rng.string(LATIN1, rng.between(0, 200)));
  for (let i = 0; i < 30; i++) add('latin1', `Bearer ${rng.string(LATIN1, rng.between(1, 120))}`);
  for (let i = 0; i < 10; i++) add('latin1', `Bearer ${rng.string(span(0xa0, 0xff), rng.between(1, 40))}`);

  // Very long tokens: up to Node's 16 KB header limit, and past it.
  for (const size of [1024, 4096, 8192, 12_000]) {
    add('long', `Bearer ${'a'.repeat(size)}`);
    add('long', `Bearer ${rng.string(B64URL, size)}`);
  }
  add('long', `Bearer ${rng.string(B64URL, 4000)}.${rng.string(B64URL, 4000)}.${rng.string(B64URL, 3000)}`);
  add('long', `Bearer ${rng.string(LOWER_ALNUM, 6)}.${rng.string(LOWER_ALNUM, 10_000)}`);
  add('long', `Bearer ${admin.repeat(300)}`);
  for (const size of [16 * 1024, 20_000, 64 * 1024]) add('long', `Bearer ${rng.string(B64URL, size)}`, { oversized: true });

  // Tokens with spaces, tabs and commas inside them.
  for (let i = 0; i < 30; i++) {
    const parts = Array.from({ length: rng.between(2, 4) }, () => token(1, 24));
    add('separators', `Bearer ${parts.join(rng.pick([' ', ', ', ',', '\t', ' ,', ';', ' Bearer ']))}`);
  }
  add('separators', `Bearer ${token()}, Bearer ${token()}`);
  add('separators', `Bearer ${token()},${admin.slice(1)}`);

  // Bootstrap-token-shaped: unknown ids, the real id with a wrong secret, and right secrets whose Secret is no good.
  const { id, secret } = bootstrap;
  for (let i = 0; i < 30; i++) add('bootstrap', `Bearer ${rng.string(LOWER_ALNUM, 6)}.${rng.string(LOWER_ALNUM, 16)}`);
  for (let i = 0; i < 20; i++) add('bootstrap', `Bearer ${id}.${rng.string(LOWER_ALNUM, 16)}`);
  for (let i = 0; i < 16; i++) {
    const c = secret[i];
    const other = rng.pick(LOWER_ALNUM.replace(c, '').split(''));
    add('bootstrap', `Bearer ${id}.${secret.slice(0, i) + other + secret.slice(i + 1)}`);
  }
  for (const h of [`${id}.${secret.toUpperCase()}`, `${id.toUpperCase()}.${secret}`, `${id}.${secret.slice(1)}`, `${id}.${secret}x`, `${id}.${secret.slice(0, 15)}`, `${id}x.${secret}`,
    `${id.slice(1)}.${secret}`, `${id}..${secret}`, `${id}.${secret}.`, `.${id}.${secret}`, `${id}:${secret}`, `${id}-${secret}`, `${id}${secret}`, `${secret}.${id}`, `${id}. ${secret}`,
    `${id}.${secret.slice(0, 8)}`, `${id}.${'0'.repeat(16)}`, `${id}.`, `.${secret}`, `${id}.${secret},${id}.${secret}`]) {
    add('bootstrap', `Bearer ${h}`);
  }
  for (let i = 0; i < 5; i++) add('bootstrap', `Bearer ${rng.string(LOWER_ALNUM, 6)}.${secret}`);
  for (const dud of Object.values(bootstrapDud)) add('bootstrap', `Bearer ${dud.id}.${dud.secret}`);
  add('bootstrap', `Bearer zzzzzz.${bootstrapDud.wrongId.secret}`);
  add('bootstrap', `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`);
  add('bootstrap', `${id}.${secret}`);

  // The admin token, changed a little.
  const flipCase = (s: string, i: number) => s.slice(0, i) + (s[i] === s[i].toUpperCase() ? s[i].toLowerCase() : s[i].toUpperCase()) + s.slice(i + 1);
  const letters = [...admin].map((c, i) => (/[a-z]/i.test(c) ? i : -1)).filter((i) => i >= 0);
  const adminVariants = [`x${admin}`, `${admin}x`, `0${admin}`, `${admin}0`, admin.slice(1), admin.slice(0, -1), admin + admin, [...admin].reverse().join(''),
    `${admin},x`, `${admin};`, `${admin}.`, `.${admin}`, `${admin}\u00e1`, `\u00e1${admin}`, `${admin}\t.`];
  if (admin.toUpperCase() !== admin) adminVariants.push(admin.toUpperCase());
  for (let i = 0; i < 4 && letters.length; i++) adminVariants.push(flipCase(admin, rng.pick(letters)));
  for (let i = 0; i < 6; i++) {
    const at = rng.int(admin.length);
    const other = rng.pick('0123456789abcdef'.replace(admin[at], '').split(''));
    adminVariants.push(admin.slice(0, at) + other + admin.slice(at + 1));
  }
  for (const v of adminVariants) add('admin', `Bearer ${v}`);
  for (const h of [admin, `Token ${admin}`, `Bearer${admin}`, `Bearer:${admin}`, `Bearer: ${admin}`, `Bearer=${admin}`, `Bearer "${admin}"`, `Bearer '${admin}'`, `Bearer <${admin}>`,
    // kube reads the token between the first and second space: two spaces leave it empty.
    `Bearer  ${admin}`, `Bearer\t${admin}`, `Bearer\u00a0${admin}`, `Bearer ${Buffer.from(admin).toString('base64')}`, `Bearer ${encodeURIComponent(`${admin} `)}`]) {
    add('admin', h);
  }

  probes.push(...jwtProbes(rng));
  return probes;
}

// ---------------------------------------------------------------- JWT-shaped bearers

/** Replaces one character of a token's `part` (0 header, 1 payload, 2 signature) so that the bytes it stands for change. */
function flipInPart(rng: Rng, token: string, part: number): string {
  const parts = token.split('.');
  for (;;) {
    const s = parts[part];
    const at = rng.int(s.length);
    const c = rng.pick(B64URL.replace(s[at], '').split(''));
    const changed = s.slice(0, at) + c + s.slice(at + 1);
    // The last character of a base64url segment carries spare bits: a change there may decode to the same bytes.
    if (Buffer.from(changed, 'base64url').equals(Buffer.from(s, 'base64url'))) continue;
    const out = [...parts];
    out[part] = changed;
    return out.join('.');
  }
}

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

function jwtProbes(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (group: string, token: string) => probes.push({ group, name: `${group}#${probes.filter((p) => p.group === group).length}`, header: `Bearer ${token}` });
  const seg = (min = 0, max = 100) => rng.string(B64URL, rng.between(min, max));
  const [h, p, s] = saToken.split('.');
  const kid = headerOf(saToken).kid as string;
  const claims = payloadOf(saToken);

  // Random base64url segments: three of them, and the wrong number.
  for (let i = 0; i < 30; i++) add('jwt-random', `${seg(1)}.${seg(1)}.${seg(1)}`);
  for (let i = 0; i < 5; i++) add('jwt-random', `${seg()}.${seg()}.${seg()}`);
  for (let i = 0; i < 10; i++) add('jwt-random', Array.from({ length: rng.pick([2, 4, 5, 7]) }, () => seg(1, 40)).join('.'));
  for (let i = 0; i < 5; i++) add('jwt-random', `${b64({ alg: 'ES256', kid })}.${seg(1)}.${seg(1)}`);

  // Well-formed header and payload (the real claims and variations), a random signature.
  const headers = [{ alg: 'ES256', kid }, { alg: 'ES256' }, { alg: 'ES256', kid: seg(43, 43) }, { alg: 'ES256', kid, typ: 'JWT' }, { alg: 'RS256', kid }, { alg: 'PS256', kid },
    { alg: 'ES384', kid }, { alg: 'ES512' }, { alg: 'EdDSA', kid }, { typ: 'JWT' }, { alg: 'ES256', kid, b64: false, crit: ['b64'] }, { alg: 'ES256', kid, crit: ['exp'] }, {}];
  const payloads = [claims, { ...claims, sub: 'system:serviceaccount:kube-system:admin', 'kubernetes.io': { ...claims['kubernetes.io'], namespace: 'kube-system' } },
    { ...claims, exp: claims.exp + 10 * 365 * 86400 }, { sub: 'admin', groups: ['system:masters'] }, { ...claims, aud: 'elsewhere' }];
  const sigLengths = [0, 1, 2, 43, 63, 64, 85, 86, 87, 128, 342];
  for (let i = 0; i < 30; i++) add('jwt-random-signature', `${b64(rng.pick(headers))}.${b64(rng.pick(payloads))}.${rng.string(B64URL, rng.pick(sigLengths))}`);
  for (const header of ['null', '[]', '"ES256"', '123', 'true', '{', '{"alg":"ES256","kid":', `{"alg":"ES256","kid":"${kid}","alg":"none"}`]) {
    add('jwt-random-signature', `${b64(header)}.${p}.${s}`);
  }
  for (const payload of ['null', '[]', '"x"', '{', '{}', '{"kubernetes.io":null}', '{"kubernetes.io":"x"}']) add('jwt-random-signature', `${h}.${b64(payload)}.${s}`);

  // alg none, with kubernetes.io claims that would otherwise pass.
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    add('jwt-alg-none', `${b64({ alg, typ: 'JWT' })}.${p}.`);
    add('jwt-alg-none', `${b64({ alg, kid })}.${b64(claims)}.`);
  }
  add('jwt-alg-none', `${b64({ alg: 'none' })}.${p}.${s}`);
  add('jwt-alg-none', `${b64({ alg: 'none', kid })}.${b64({ ...claims, 'kubernetes.io': { namespace: 'kube-system', serviceaccount: { name: 'robot', uid: robotUid } } })}.`);
  add('jwt-alg-none', `${b64({ alg: 'ES256', kid })}.${p}.`);
  add('jwt-alg-none', `${h}.${p}.`);

  // The real token, one character flipped in each of its three parts.
  for (let part = 0; part < 3; part++) for (let i = 0; i < 10; i++) add('jwt-flip', flipInPart(rng, saToken, part));

  // Real tokens, cut, stretched and spliced.
  const [bh, bp, bs] = builderToken.split('.');
  const [oh, op, os] = otherAudienceToken.split('.');
  for (const tok of [`${h}.${bp}.${s}`, `${bh}.${p}.${bs}`, `${h}.${op}.${s}`, `${oh}.${p}.${os}`, `${h}.${p}.${bs}`, `${h}.${p}.${os}`, `${bh}.${bp}.${s}`,
    `${h}.${b64({ ...claims, sub: 'system:serviceaccount:default:builder', 'kubernetes.io': { ...claims['kubernetes.io'], serviceaccount: { name: 'builder', uid: payloadOf(builderToken)['kubernetes.io'].serviceaccount.uid } } })}.${s}`,
    `${h}.${b64({ ...claims, exp: claims.exp + 86400 })}.${s}`, `${h}.${b64(claims)}x.${s}`, `${h}.${p}`, `${h}.${p}.${s}.`, `.${h}.${p}.${s}`, `${h}.${p}.${s.slice(0, -2)}`, `${h}.${p}.${s}AA`,
    `${h}.${p}.${s}${s}`, `${h}..${s}`, `${h}.${p}.${s.split('').reverse().join('')}`, saToken.toUpperCase(), saToken.toLowerCase(), `${saToken},${saToken}`, `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`,
    otherAudienceToken, deletedSaToken]) {
    add('jwt-splice', tok);
  }

  // Signed, but not by the server: another key under the server's kid, an embedded JWK, and HMAC keyed with the server's public key.
  const signingKey = ensureSigningKey(join(cluster.dir, 'pki', 'sa.key'));
  const publicKey = createPublicKey(signingKey);
  const hmac = (header: object, secret: string | Buffer) => {
    const input = `${b64(header)}.${p}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  for (const header of [{ alg: 'HS256', kid }, { alg: 'HS256' }, { alg: 'HS256', typ: 'JWT' }]) {
    add('jwt-forged', hmac(header, pem));
    add('jwt-forged', hmac(header, der));
    add('jwt-forged', hmac(header, pem.trim()));
  }
  add('jwt-forged', hmac({ alg: 'HS256', kid }, ''));
  add('jwt-forged', hmac({ alg: 'HS256', kid }, kid));
  return probes;
}

/** Tokens signed by a key the server does not trust (made in the test, hence async). */
async function foreignlySigned(): Promise<Probe[]> {
  const claims = payloadOf(saToken);
  const kid = headerOf(saToken).kid as string;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  const signWith = (key: KeyObject, header: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
  const tokens = [
    await signWith(privateKey, { alg: 'ES256', kid }),
    await signWith(privateKey, { alg: 'ES256' }),
    await signWith(privateKey, { alg: 'ES256', jwk }),
    await signWith(privateKey, { alg: 'ES256', kid: keyId(publicKey) }),
    await signWith(privateKey, { alg: 'ES256', kid, jku: 'https://127.0.0.1:1/keys', x5u: 'https://127.0.0.1:1/cert' }),
    await signWith(rsa.privateKey, { alg: 'RS256', kid }),
    await signWith(rsa.privateKey, { alg: 'RS256', jwk: await exportJWK(rsa.publicKey) }),
  ];
  return tokens.map((tok, i) => ({ group: 'jwt-forged', name: `jwt-forged/foreign-key#${i}`, header: `Bearer ${tok}` }));
}

test.serial('fuzzed Authorization headers are never granted, never a 5xx, and refused with a Status', async (t) => {
  const probes = [...headerProbes(), ...await foreignlySigned()];
  t.true(probes.length >= 300, `only ${probes.length} header cases`);
  await fuzz(t, probes);
});

// ---------------------------------------------------------------- service account tokens signed with the server's own key

type ClaimCase = [name: string, payload: Record<string, unknown>, header?: Record<string, unknown>, hash?: string];

/**
 * Tokens correctly signed with the server's own key (read from its cert dir, as if another issuer shared it),
 * so that only the claim checks stand between them and a user. `cases` makes [name, payload, header?, hash?].
 */
function serverSigned(cases: (claims: any, k8s: any, kid: string) => ClaimCase[]): Probe[] {
  const key = ensureSigningKey(join(cluster.dir, 'pki', 'sa.key'));
  const kid = keyId(key);
  const claims = payloadOf(saToken);
  return cases(claims, claims['kubernetes.io'], kid).map(([name, payload, header = { alg: 'ES256', kid }, hash = 'sha256']) => {
    const defined = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
    const input = `${b64(header)}.${b64(defined)}`;
    const signature = sign(hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return { group: 'server-key', name, header: `Bearer ${input}.${signature}` };
  });
}

test.serial('tokens signed with the server\'s own key but with claims kube-apiserver refuses are 401', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const probes = serverSigned((claims, k8s, kid) => [
    ['another issuer', { ...claims, iss: 'https://evil.example' }],
    ['no issuer', { ...claims, iss: undefined }],
    ['another audience', { ...claims, aud: ['https://evil.example'] }],
    ['no audience', { ...claims, aud: undefined }],
    ['expired', { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }],
    ['not yet valid', { ...claims, nbf: now + 3600, exp: now + 7200 }],
    ['exp is a string', { ...claims, exp: String(claims.exp) }],
    ['no kubernetes.io claims', { ...claims, 'kubernetes.io': undefined }],
    ['kubernetes.io is a string', { ...claims, 'kubernetes.io': 'default/robot' }],
    ['kubernetes.io is null', { ...claims, 'kubernetes.io': null }],
    ['sub names someone else', { ...claims, sub: 'system:serviceaccount:kube-system:robot' }],
    ['sub is a plain user', { ...claims, sub: 'admin' }],
    ['no sub', { ...claims, sub: undefined }],
    ['claims name another namespace', { ...claims, 'kubernetes.io': { ...k8s, namespace: 'kube-system' } }],
    ['namespace is an object', { ...claims, 'kubernetes.io': { ...k8s, namespace: { toString: 'default' } } }],
    ['another service account uid', { ...claims, 'kubernetes.io': { ...k8s, serviceaccount: { name: 'robot', uid: '00000000-0000-0000-0000-000000000000' } } }],
    ['no service account uid', { ...claims, 'kubernetes.io': { ...k8s, serviceaccount: { name: 'robot' } } }],
    ['serviceaccount is a string', { ...claims, 'kubernetes.io': { ...k8s, serviceaccount: 'robot' } }],
    ['a service account that never existed', { ...claims, sub: 'system:serviceaccount:default:nobody', 'kubernetes.io': { ...k8s, serviceaccount: { name: 'nobody', uid: robotUid } } }],
    ['a namespace that climbs out', { ...claims, sub: 'system:serviceaccount:../default:robot', 'kubernetes.io': { ...k8s, namespace: '../default' } }],
    ['a name that climbs out', { ...claims, sub: 'system:serviceaccount:default:../robot', 'kubernetes.io': { ...k8s, serviceaccount: { name: '../robot', uid: robotUid } } }],
    ['a service account that was deleted', payloadOf(deletedSaToken)],
    ['bound to a pod that does not exist', { ...claims, 'kubernetes.io': { ...k8s, pod: { name: 'ghost', uid: '11111111-1111-1111-1111-111111111111' } } }],
    ['bound to a secret that does not exist', { ...claims, 'kubernetes.io': { ...k8s, secret: { name: 'ghost', uid: '11111111-1111-1111-1111-111111111111' } } }],
    ['bound to a pod named in another namespace', { ...claims, 'kubernetes.io': { ...k8s, pod: { name: '../kube-system/ghost', uid: '11111111-1111-1111-1111-111111111111' } } }],
    ['a kid the server does not have', claims, { alg: 'ES256', kid: 'not-a-key-id' }],
    ['alg ES384 over a P-256 key', claims, { alg: 'ES384', kid }, 'sha384'],
    ['alg ES512 over a P-256 key', claims, { alg: 'ES512', kid }, 'sha512'],
    ['alg none, yet signed', claims, { alg: 'none', kid }],
    ['alg RS256 on an EC signature', claims, { alg: 'RS256', kid }],
    ['a critical header the server does not know', claims, { alg: 'ES256', kid, crit: ['fuzz'], fuzz: true }],
  ]);
  t.is(probes.length, 31);
  // The control: the same signing with the claims untouched does authenticate, so each refusal is down to its claim.
  const [control] = serverSigned((claims) => [['unchanged', claims]]);
  const r = await call(cluster, 'GET', SECRETS, undefined, { Authorization: control.header! }, { token: null });
  t.is(r.status, 403, r.text);
  t.is(userIn403(r.body), 'system:serviceaccount:default:robot');
  await fuzz(t, probes);
});

// kube-apiserver looks a token's bound pod or secret up and refuses the token when it is gone, whatever the claim's
// uid says. Skiff compares the live uid with the claim's uid only: with no uid in the claim, `undefined === undefined`
// passes and the token authenticates as the service account (control-plane/apiserver/auth/service-account-token.ts,
// the bound-object loop in ServiceAccountTokenVerifier.verify). Skiff's own issuer always writes a uid, so reaching
// this takes its signing key, or a key from --service-account-key-file shared with another issuer.
test.serial('a token bound to a pod or secret that does not exist is refused, even when its claim has no uid', async (t) => {
  const probes = serverSigned((claims, k8s) => [
    ['bound to a pod that does not exist, no uid in the claim', { ...claims, 'kubernetes.io': { ...k8s, pod: { name: 'ghost' } } }],
    ['bound to a secret that does not exist, no uid in the claim', { ...claims, 'kubernetes.io': { ...k8s, secret: { name: 'ghost' } } }],
    ['bound to a pod given as a string', { ...claims, 'kubernetes.io': { ...k8s, pod: 'ghost' } }],
  ]);
  await fuzz(t, probes);
});

// ---------------------------------------------------------------- client certificates

interface Made { cert: x509.X509Certificate; pem: string; keys: CryptoKeyPair; keyPem: string }
interface Signer { name: x509.Name; key: CryptoKey }

const rsaKeys = () => webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const algorithmFor = (key: CryptoKey) => (key.algorithm.name === 'ECDSA' ? ALG : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
const signerOf = (x: Made | CertificateAuthority): Signer => ('keys' in x ? { name: x.cert.subjectName, key: x.keys.privateKey } : { name: x.cert.subjectName, key: x.key });
const F = x509.KeyUsageFlags;

/** A certificate as the test wants it: self-signed unless a signer is given; a client leaf unless told otherwise. */
async function makeCert(o: { subject: x509.Name; signer?: Signer; issuerName?: x509.Name; keys?: CryptoKeyPair; ca?: boolean; eku?: string[] | null; notBefore?: Date; notAfter?: Date }): Promise<Made> {
  const keys = o.keys ?? await generateKeys();
  const signingKey = o.signer?.key ?? keys.privateKey;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(!!o.ca, undefined, true),
    new x509.KeyUsagesExtension(o.ca ? F.keyCertSign | F.cRLSign | F.digitalSignature : F.digitalSignature | F.keyEncipherment, true),
  ];
  const eku = o.eku === undefined ? (o.ca ? null : [x509.ExtendedKeyUsage.clientAuth]) : o.eku;
  if (eku) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(), subject: o.subject, issuer: o.issuerName ?? o.signer?.name ?? o.subject,
    notBefore: o.notBefore ?? new Date(Date.now() - 3600_000), notAfter: o.notAfter ?? new Date(Date.now() + 86400_000),
    signingAlgorithm: algorithmFor(signingKey), publicKey: keys.publicKey, signingKey, extensions,
  });
  return { cert, pem: `${cert.toString('pem')}\n`, keys, keyPem: await privateKeyPem(keys.privateKey) };
}

const tlsOf = (leaf: Made, ...chain: Array<{ pem?: string; certPem?: string }>) => ({ cert: leaf.pem + chain.map((c) => c.pem ?? c.certPem).join(''), key: leaf.keyPem });

async function certificateProbes(): Promise<Probe[]> {
  const rng = new Rng(SEED ^ 0xce47);
  const ca = await loadOrCreateCA(join(cluster.dir, 'pki'));
  const caSigner = signerOf(ca);
  const otherCA = await loadOrCreateCA(join(cluster.dir, 'fuzz-other-ca'));
  const masters = (cn: string) => subjectName(cn, ['system:masters']);
  const probes: Probe[] = [];
  const add = (name: string, tls: { cert: string; key: string }, user?: string, mayRefuse = false) => probes.push({ group: 'cert', name, tls, ...(user ? { user, mayRefuse } : {}) });
  const fromCA = async (req: Parameters<typeof issueCertificate>[1]) => {
    const issued = await issueCertificate(ca, req);
    return { cert: issued.certPem, key: issued.keyPem! };
  };
  const DAY = 86400_000;

  // Self-signed, claiming the masters group.
  add('self-signed ECDSA, system:masters', tlsOf(await makeCert({ subject: masters('admin') })));
  add('self-signed RSA, system:masters', tlsOf(await makeCert({ subject: masters('admin'), keys: await rsaKeys() })));
  add('self-signed CA certificate, system:masters', tlsOf(await makeCert({ subject: masters('admin'), ca: true, eku: [x509.ExtendedKeyUsage.clientAuth] })));
  add('self-signed, naming the cluster CA as issuer', tlsOf(await makeCert({ subject: masters('admin'), issuerName: ca.cert.subjectName })));
  add('self-signed, with the cluster CA\'s own subject', tlsOf(await makeCert({ subject: ca.cert.subjectName, issuerName: ca.cert.subjectName })));

  // Another CA; and a CA that copies the cluster CA's name with its own key.
  const foreign = await makeCert({ subject: masters('mallory'), signer: signerOf(otherCA) });
  add('another CA, system:masters', tlsOf(foreign));
  add('another CA, with its chain', tlsOf(foreign, otherCA));
  const lookalike = await makeCert({ subject: ca.cert.subjectName, ca: true });
  const spoofed = await makeCert({ subject: masters('admin'), signer: signerOf(lookalike) });
  add('a CA with the cluster CA\'s name but another key', tlsOf(spoofed));
  add('a CA with the cluster CA\'s name but another key, with its chain', tlsOf(spoofed, lookalike));
  add('a CA with the cluster CA\'s name, with the real CA in the chain too', tlsOf(spoofed, lookalike, ca));
  add('another CA\'s leaf, with the cluster CA in the chain', tlsOf(foreign, ca));

  // The cluster CA, but not valid now or not for clients.
  const expired = await clientCertificate(cluster, 'expired-admin', ['system:masters'], { notBefore: new Date(Date.now() - 2 * DAY), notAfter: new Date(Date.now() - DAY) });
  add('cluster CA, expired', expired);
  add('cluster CA, expired a minute ago', await clientCertificate(cluster, 'just-expired', ['system:masters'], { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() - 60_000) }));
  add('cluster CA, not yet valid', await clientCertificate(cluster, 'future-admin', ['system:masters'], { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) }));
  add('cluster CA, serverAuth only', await fromCA({ commonName: 'serving-admin', organizations: ['system:masters'], usages: ['server'] }));
  add('cluster CA, codeSigning only', tlsOf(await makeCert({ subject: masters('signing-admin'), signer: caSigner, eku: [x509.ExtendedKeyUsage.codeSigning] })));
  add('cluster CA, emailProtection and serverAuth', tlsOf(await makeCert({ subject: masters('mail-admin'), signer: caSigner, eku: [x509.ExtendedKeyUsage.emailProtection, x509.ExtendedKeyUsage.serverAuth] })));

  // The cluster CA certificate itself, presented with its key. kube-apiserver (Go's x509 Verify) accepts a trusted
  // root as a leaf and takes its CN as the user, with no groups; Skiff may do the same, but nothing more.
  add('the cluster CA certificate itself', { cert: ca.certPem, key: readFileSync(ca.keyFile, 'utf8') }, 'skiff-ca', true);

  // Intermediates the server does not know, and a leaf "signed" by a certificate that is not a CA.
  const unknownIntermediate = await makeCert({ subject: subjectName('fuzz-intermediate'), signer: signerOf(otherCA), ca: true });
  const viaUnknown = await makeCert({ subject: masters('via-unknown'), signer: signerOf(unknownIntermediate) });
  add('an intermediate from another CA', tlsOf(viaUnknown, unknownIntermediate));
  add('an intermediate from another CA, with its root', tlsOf(viaUnknown, unknownIntermediate, otherCA));
  add('an intermediate from another CA, with the cluster CA', tlsOf(viaUnknown, unknownIntermediate, ca));
  const loneIntermediate = await makeCert({ subject: subjectName('fuzz-sub-ca'), signer: caSigner, ca: true });
  const viaLone = await makeCert({ subject: masters('via-sub-ca'), signer: signerOf(loneIntermediate) });
  add('an intermediate of the cluster CA, not sent', tlsOf(viaLone));
  // Sent, it makes a chain to the cluster CA (minting one takes the CA key): kube accepts it, and so may Skiff.
  add('an intermediate of the cluster CA, sent', tlsOf(await makeCert({ subject: subjectName('via-sub-ca-sent'), signer: signerOf(loneIntermediate) }), loneIntermediate), 'via-sub-ca-sent', true);
  const clientLeaf = await makeCert({ subject: subjectName('plain-client'), signer: caSigner });
  // A control: a leaf made the way the refused ones are, but good, does authenticate.
  add('a client leaf from the cluster CA, made like the others', tlsOf(clientLeaf), 'plain-client');
  const viaLeaf = await makeCert({ subject: masters('admin'), signer: signerOf(clientLeaf) });
  add('a leaf signed by a non-CA client certificate', tlsOf(viaLeaf, clientLeaf));
  add('a leaf signed by a non-CA client certificate, with the CA', tlsOf(viaLeaf, clientLeaf, ca));
  const issuedLeaf = await fromCA({ commonName: 'issued-client', usages: ['client'] });
  const issuedSigner = { name: new x509.X509Certificate(issuedLeaf.cert).subjectName, key: await importPrivateKey(issuedLeaf.key) };
  add('a leaf signed by a cluster-issued client certificate\'s key', tlsOf(await makeCert({ subject: masters('admin'), signer: issuedSigner }), { pem: issuedLeaf.cert }));

  // Names: empty or missing CN, many groups, a user named like a group.
  add('cluster CA, empty CN, system:masters', await fromCA({ commonName: '', organizations: ['system:masters'], usages: ['client'] }));
  add('cluster CA, no CN, system:masters', tlsOf(await makeCert({ subject: new x509.Name([{ O: ['system:masters'] }]), signer: caSigner })));
  add('another CA, empty CN', tlsOf(await makeCert({ subject: subjectName('', ['system:masters']), signer: signerOf(otherCA) })));
  const groups = Array.from({ length: 200 }, (_, i) => `fuzz-group-${i}-${rng.string(LOWER_ALNUM, 8)}`);
  add('cluster CA, 200 O groups', await fromCA({ commonName: 'many-groups', organizations: groups, usages: ['client'] }), 'many-groups');
  add('another CA, 200 O groups and system:masters', tlsOf(await makeCert({ subject: subjectName('many-groups', [...groups, 'system:masters']), signer: signerOf(otherCA) })));
  add('self-signed, 200 O groups and system:masters', tlsOf(await makeCert({ subject: subjectName('many-groups', ['system:masters', ...groups]) })));
  add('cluster CA, CN system:masters', await fromCA({ commonName: 'system:masters', usages: ['client'] }), 'system:masters');
  add('cluster CA, no extended key usage', tlsOf(await makeCert({ subject: subjectName('no-eku'), signer: caSigner, eku: null })), 'no-eku');

  // RSA keys.
  const rsa = await rsaKeys();
  const rsaLeaf = await issueCertificate(ca, { commonName: 'rsa-user', usages: ['client'], publicKey: rsa.publicKey });
  add('cluster CA, RSA key', { cert: rsaLeaf.certPem, key: await privateKeyPem(rsa.privateKey) }, 'rsa-user');
  add('another CA, RSA key, system:masters', tlsOf(await makeCert({ subject: masters('rsa-admin'), signer: signerOf(otherCA), keys: await rsaKeys() })));
  const rsaCA = await makeCert({ subject: ca.cert.subjectName, ca: true, keys: await rsaKeys() });
  add('an RSA CA with the cluster CA\'s name', tlsOf(await makeCert({ subject: masters('admin'), signer: signerOf(rsaCA) }), rsaCA));
  return probes;
}

test.serial('fuzzed client certificates are never granted, never a 5xx, and refused with a Status', async (t) => {
  const probes = await certificateProbes();
  await fuzz(t, probes);
});

// ---------------------------------------------------------------- afterwards

test.serial('after the fuzz pass nothing was created, and the server is ready and still serves the admin', async (t) => {
  const list = await call(cluster, 'GET', CONFIGMAPS);
  t.is(list.status, 200);
  const made = (list.body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name).filter((n) => n.startsWith('fuzz-'));
  t.deepEqual(made, [], `config maps created by refused requests (${SEED_NOTE})`);
  t.true(configMapCounter > 0);
  t.is((await call(cluster, 'GET', '/readyz', undefined, {}, { token: null })).status, 200);
  t.is((await call(cluster, 'GET', SECRETS)).status, 200, 'the admin token still works');
  t.is((await call(cluster, 'GET', SECRETS, undefined, {}, { token: saToken })).status, 403, 'and so does the service account token');
});
