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
  // A connection presents one certificate for its whole life; reading it out
  // of OpenSSL costs more than the rest of a request's authentication, so it
  // is read once per connection. Its expiry is still checked on every request.
  let known = perConnection.get(socket);
  if (!known) {
    known = readCertificate(socket);
    perConnection.set(socket, known);
  }
  if (known.notAfter !== undefined && Date.now() > known.notAfter) return { error: 'x509: certificate has expired or is not yet valid' };
  return known.result;
}

const perConnection = new WeakMap<TLSSocket, { result: UserInfo | { error: string } | undefined; notAfter?: number }>();

function readCertificate(socket: TLSSocket): { result: UserInfo | { error: string } | undefined; notAfter?: number } {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return { result: undefined };
  const notAfter = Date.parse(cert.valid_to);
  const checked = (result: UserInfo | { error: string }) => ({ result, notAfter: Number.isNaN(notAfter) ? undefined : notAfter });
  if (!socket.authorized) return checked({ error: `x509: certificate is not valid: ${String(socket.authorizationError ?? 'unknown authority')}` });
  const usages = cert.ext_key_usage ?? [];
  if (usages.length && !usages.includes(CLIENT_AUTH)) return checked({ error: 'x509: certificate specifies an incompatible key usage' });
  const name = values(cert.subject.CN)[0];
  if (!name) return checked({ error: 'x509: certificate has no common name' });
  return checked({ name, uid: '', groups: values(cert.subject.O) });
}
