import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../../api/kind.js';
import type { UserInfo } from './user-info.js';

/** A bootstrap token: `<id>.<secret>`, six and sixteen of [a-z0-9], as kubeadm makes them. */
export const BOOTSTRAP_TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAPPERS = 'system:bootstrappers';

const data = (secret: KObject, key: string): string | undefined => {
  const v = (secret.data as Record<string, string> | undefined)?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString();
};

/**
 * The user a bootstrap token stands for, read from its Secret
 * (kube-system/bootstrap-token-<id>, type bootstrap.kubernetes.io/token):
 * `system:bootstrap:<id>` in system:bootstrappers and the token's extra
 * groups. Undefined when the bearer is not a bootstrap token; an error
 * message when it is one but not a good one.
 */
export async function userFromBootstrapToken(token: string, secretNamed: (name: string) => Promise<KObject | undefined>, now = Date.now()): Promise<UserInfo | { error: string } | undefined> {
  const m = BOOTSTRAP_TOKEN.exec(token);
  if (!m) return undefined;
  const [, id, presented] = m;
  const secret = await secretNamed(`bootstrap-token-${id}`);
  const invalid = { error: 'invalid bootstrap token' };
  if (!secret || secret.type !== 'bootstrap.kubernetes.io/token' || secret.metadata?.deletionTimestamp) return invalid;
  const known = data(secret, 'token-secret') ?? '';
  if (data(secret, 'token-id') !== id || known.length !== presented.length || !timingSafeEqual(Buffer.from(known), Buffer.from(presented))) return invalid;
  if (data(secret, 'usage-bootstrap-authentication') !== 'true') return invalid;
  const expiration = data(secret, 'expiration');
  if (expiration !== undefined && !(Date.parse(expiration) > now)) return { error: 'bootstrap token has expired' };
  const extra = (data(secret, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g.startsWith(`${BOOTSTRAPPERS}:`));
  return { name: `system:bootstrap:${id}`, uid: '', groups: [BOOTSTRAPPERS, ...extra] };
}
