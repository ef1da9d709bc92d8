import type { IncomingMessage } from 'node:http';
import type { KObject } from '../../../api/kind.js';
import { userFromBootstrapToken } from './bootstrap-token.js';
import { userFromClientCertificate } from './client-certificate.js';
import type { ServiceAccountTokenVerifier } from './service-account-token.js';
import { userForToken } from './token-file.js';
import { withAuthenticatedGroup, type UserInfo } from './user-info.js';

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.has(pathname) || pathname.startsWith('/healthz/') || pathname.startsWith('/livez/') || pathname.startsWith('/readyz/');
}

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

export interface AuthenticatorOptions {
  /** The static token file's users (--token-auth-file). */
  tokens: Map<string, UserInfo>;
  /** Whether TLS client certificates are checked (--client-ca-file). */
  clientCertificates: boolean;
  /** Bootstrap tokens: reads kube-system Secrets by name. */
  bootstrapSecret?: (name: string) => Promise<KObject | undefined>;
  serviceAccountTokens?: ServiceAccountTokenVerifier;
  /** Requests without credentials are system:anonymous (--anonymous-auth); otherwise 401. */
  anonymous: boolean;
}

/** Why a request could not be authenticated; answered as 401. */
export class Unauthenticated extends Error {}

/**
 * kube-apiserver's union of authenticators: a client certificate, then a
 * bearer token (static token, bootstrap token, service account JWT). The
 * first that recognises the credential decides; a credential nobody accepts
 * is a 401, and so is no credential unless anonymous requests are allowed.
 */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const problems: string[] = [];
    if (this.options.clientCertificates) {
      const fromCert = userFromClientCertificate(req);
      if (fromCert && !('error' in fromCert)) return withAuthenticatedGroup(fromCert);
      if (fromCert) problems.push(fromCert.error);
    }
    // As kube reads it: the scheme, one space, the token up to the next space.
    const header = req.headers.authorization;
    const parts = typeof header === 'string' ? header.split(' ') : [];
    const isBearer = parts.length >= 2 && parts[0].toLowerCase() === 'bearer';
    const bearer = isBearer ? parts[1] : undefined;
    if (isBearer && !bearer) problems.push('malformed bearer token');
    if (bearer) {
      const user = await this.fromBearer(bearer);
      if (user && !('error' in user)) return withAuthenticatedGroup(user);
      problems.push(user ? user.error : 'invalid bearer token');
    }
    if (problems.length) throw new Unauthenticated(problems.join('; '));
    if (this.options.anonymous) return ANONYMOUS;
    throw new Unauthenticated('no credentials');
  }

  private async fromBearer(token: string): Promise<UserInfo | { error: string } | undefined> {
    const fromFile = userForToken(this.options.tokens, token);
    if (fromFile) return fromFile;
    if (this.options.bootstrapSecret) {
      const user = await userFromBootstrapToken(token, this.options.bootstrapSecret);
      if (user) return user;
    }
    return this.options.serviceAccountTokens?.verify(token);
  }
}
