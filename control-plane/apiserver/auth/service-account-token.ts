import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, jwtVerify, decodeProtectedHeader, errors } from 'jose';
import type { UserInfo } from './user-info.js';
import { serviceAccountUser } from './rbac/attributes.js';


/** The claims kube-apiserver puts in a service account token, under `kubernetes.io`. */
interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

const algorithmOf = (key: KeyObject) => (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');

/** The key id kube uses: a hash of the public key, so verifiers can pick the key. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** Reads or, on first use, makes the service account signing key (kubeadm's sa.key). */
export function ensureSigningKey(path: string): KeyObject {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(path));
}

/** Public keys from PEM files holding public or private keys, as --service-account-key-file takes them. */
export function loadVerificationKeys(paths: string[]): KeyObject[] {
  return paths.map((p) => {
    const pem = readFileSync(p, 'utf8');
    try {
      return createPublicKey(pem);
    } catch (err) {
      throw new Error(`--service-account-key-file ${p}: not a PEM key: ${(err as Error).message}`);
    }
  });
}

export interface TokenSpec {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  boundObject?: { kind: 'Pod' | 'Secret'; name: string; uid: string };
}

/** Signs service account tokens (TokenRequest), as kube-apiserver with --service-account-signing-key-file. */
export class ServiceAccountTokenIssuer {
  private readonly kid: string;

  constructor(private readonly key: KeyObject, readonly issuer: string) {
    this.kid = keyId(key);
  }

  async issue(spec: TokenSpec, now = new Date()): Promise<{ token: string; expirationTimestamp: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + spec.expirationSeconds;
    const claims: KubernetesClaims = { namespace: spec.namespace, serviceaccount: { name: spec.name, uid: spec.uid } };
    if (spec.boundObject?.kind === 'Pod') claims.pod = { name: spec.boundObject.name, uid: spec.boundObject.uid };
    if (spec.boundObject?.kind === 'Secret') claims.secret = { name: spec.boundObject.name, uid: spec.boundObject.uid };
    const token = await new SignJWT({ 'kubernetes.io': claims })
      .setProtectedHeader({ alg: algorithmOf(this.key), kid: this.kid })
      .setIssuer(this.issuer).setSubject(serviceAccountUser(spec.namespace, spec.name)).setAudience(spec.audiences)
      .setIssuedAt(iat).setNotBefore(iat).setExpirationTime(exp)
      .sign(this.key);
    return { token, expirationTimestamp: new Date(exp * 1000) };
  }
}

/** What the verifier needs to know about live objects: a token dies with its service account (or bound object). */
export interface TokenObjects {
  serviceAccountUid(namespace: string, name: string): Promise<string | undefined>;
  objectUid?(kind: 'Pod' | 'Secret', namespace: string, name: string): Promise<string | undefined>;
}

/**
 * Verifies service account tokens: signature by one of the keys, issuer,
 * audience, time, and that the service account (and any bound pod or
 * secret) still exists with the same uid. Answers the user, or an error
 * message for a token that looks like a JWT but is not good; undefined when
 * the bearer is not a JWT at all.
 */
export class ServiceAccountTokenVerifier {
  constructor(
    private readonly keys: KeyObject[],
    private readonly issuers: string[],
    private readonly audiences: string[],
    private readonly objects: TokenObjects,
  ) {
    this.keyIds = keys.map(keyId);
  }

  private readonly keyIds: string[];

  async verify(token: string): Promise<UserInfo | { error: string } | undefined> {
    if (token.split('.').length !== 3) return undefined;
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return undefined;
    }
    const candidates = header.kid ? this.keys.filter((_, i) => this.keyIds[i] === header.kid) : this.keys;
    let lastError = 'no key matches the token';
    for (const key of candidates) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: this.issuers, audience: this.audiences, algorithms: [algorithmOf(key)] });
        const claims = payload['kubernetes.io'] as KubernetesClaims | undefined;
        if (!claims?.namespace || !claims.serviceaccount?.name || payload.sub !== serviceAccountUser(claims.namespace, claims.serviceaccount.name)) {
          return { error: 'service account token has no valid kubernetes.io claims' };
        }
        const uid = await this.objects.serviceAccountUid(claims.namespace, claims.serviceaccount.name);
        if (uid === undefined || uid !== claims.serviceaccount.uid) return { error: 'service account token is for a service account that no longer exists' };
        for (const [kind, ref] of [['Pod', claims.pod], ['Secret', claims.secret]] as const) {
          if (ref === undefined) continue;
          const gone = { error: `service account token is bound to a ${kind.toLowerCase()} that no longer exists` };
          if (typeof ref !== 'object' || ref === null || typeof ref.name !== 'string' || typeof ref.uid !== 'string' || !ref.uid) return gone;
          const live = await this.objects.objectUid?.(kind, claims.namespace, ref.name);
          if (live === undefined || live !== ref.uid) return gone;
        }
        const extra: Record<string, string[]> = {};
        if (claims.pod) extra['authentication.kubernetes.io/pod-name'] = [claims.pod.name];
        if (claims.pod) extra['authentication.kubernetes.io/pod-uid'] = [claims.pod.uid];
        return {
          name: serviceAccountUser(claims.namespace, claims.serviceaccount.name),
          uid: claims.serviceaccount.uid,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`],
          ...(Object.keys(extra).length ? { extra } : {}),
        };
      } catch (err) {
        lastError = err instanceof errors.JWTExpired ? 'service account token has expired' : `invalid service account token: ${(err as Error).message}`;
      }
    }
    return { error: lastError };
  }
}
