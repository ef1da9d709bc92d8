import type { Duplex } from 'node:stream';
import spdy, { type SpdyConnection } from 'spdy-transport';

type ParseKVs = (buffer: unknown, callback: (err: Error | null, headers: Record<string, string>) => void) => unknown;

let patched = false;

/**
 * A SPDY/3.1 connection (spdy-transport) that speaks Kubernetes' streams:
 * exec, attach and port-forward open streams whose headers are their own
 * (streamtype, port, requestid), without the HTTP pseudo-headers
 * spdy-transport's parser insists on (:method, :path). Those are filled in
 * on parsing, once per process, so a stream from kubectl or from the
 * runtime's streaming server is taken as a stream rather than a protocol
 * error.
 */
export function spdyConnection(socket: Duplex, isServer: boolean): SpdyConnection {
  const conn = spdy.connection.create(socket, { protocol: 'spdy', isServer });
  if (!patched) {
    const parser = (conn as unknown as { _spdyState: { parser: object } })._spdyState.parser;
    const proto = Object.getPrototypeOf(parser) as { parseKVs: ParseKVs };
    const parseKVs = proto.parseKVs;
    proto.parseKVs = function (this: unknown, buffer, callback) {
      return parseKVs.call(this, buffer, (err, headers) => callback(err, err ? headers : { ':method': 'POST', ':path': '/', ...headers }));
    };
    patched = true;
  }
  return conn;
}
