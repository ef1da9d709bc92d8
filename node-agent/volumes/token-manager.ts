import type { AnyObject } from '../../client/resource.js';
import { SERVICE_ACCOUNTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

/** A token as TokenRequest gave it. */
export interface IssuedToken {
  token: string;
  expiresAt: number;
  /** The lifetime asked for: the token was issued expirationSeconds before it expires. */
  expirationSeconds: number;
}

/** The kubelet renews a token a day after it was issued at the latest, however long it lives. */
const MAX_TTL_MS = 24 * 3600_000;
/** Spreads renewals out, so tokens issued together are not renewed together. */
const MAX_JITTER_MS = 10_000;

/**
 * Whether a token is due for renewal, as the kubelet's token manager
 * decides: once 80% of its lifetime has passed, or a day after it was
 * issued, each less a jitter.
 */
export function needsRenewal(t: IssuedToken, now: number, jitterMs: number): boolean {
  const issuedAt = t.expiresAt - t.expirationSeconds * 1000;
  if (now > issuedAt + MAX_TTL_MS - jitterMs) return true;
  return now > t.expiresAt - t.expirationSeconds * 200 - jitterMs;
}

/**
 * The kubelet's token manager: service account tokens for projected
 * volumes, asked for with TokenRequest and bound to the pod (so the API
 * server stops honouring them once the pod is gone), kept per pod and
 * request and renewed only when due. A failed renewal keeps the token
 * while it is still valid.
 */
export class TokenManager {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly client: RestClient) {}

  async token(pod: AnyObject, source: AnyObject): Promise<string> {
    const audiences: string[] = source.audience ? [source.audience] : [];
    const expirationSeconds: number = source.expirationSeconds ?? 3600;
    const serviceAccount: string = pod.spec?.serviceAccountName || 'default';
    const key = `${pod.metadata.uid}/${serviceAccount}/${audiences.join(',')}/${expirationSeconds}`;
    const cached = this.tokens.get(key);
    const now = Date.now();
    if (cached && !needsRenewal(cached, now, Math.random() * MAX_JITTER_MS)) return cached.token;
    try {
      const answer = await this.client.create<AnyObject>(SERVICE_ACCOUNTS, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
        metadata: { name: serviceAccount, namespace: pod.metadata.namespace },
        spec: { audiences, expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
      }, { subresource: 'token' });
      const issued = { token: answer.status.token, expiresAt: Date.parse(answer.status.expirationTimestamp), expirationSeconds: answer.spec?.expirationSeconds ?? expirationSeconds };
      this.tokens.set(key, issued);
      return issued.token;
    } catch (err) {
      if (cached && now < cached.expiresAt) return cached.token;
      throw new Error(`failed to fetch token: ${(err as Error).message}`);
    }
  }

  /** Drops the tokens of a pod whose volumes are gone. */
  forgetPod(uid: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${uid}/`)) this.tokens.delete(key);
  }
}
