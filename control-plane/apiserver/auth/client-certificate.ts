import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from './user-info.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The user an X.509 client certificate names: CN is the user, each O a
 * group, as kube-apiserver's --client-ca-file authenticator reads it.
 * Undefined when no certificate was presented; an error message when one
 * was, but it does not chain to the client CA, has expired, or is not for
 * client authentication.
 */
export function userFromClientCertificate(req: IncomingMessage): UserInfo | { error: string } | undefined {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  if (!socket.authorized) return { error: `x509: certificate is not valid: ${String(socket.authorizationError ?? 'unknown authority')}` };
  const usages = cert.ext_key_usage ?? [];
  if (usages.length && !usages.includes(CLIENT_AUTH)) return { error: 'x509: certificate specifies an incompatible key usage' };
  const name = values(cert.subject.CN)[0];
  if (!name) return { error: 'x509: certificate has no common name' };
  return { name, uid: '', groups: values(cert.subject.O) };
}
