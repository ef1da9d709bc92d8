import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { SpdyConnection, SpdyStream } from 'spdy-transport';
import { spdyConnection } from '../../component-base/spdy-connection.js';

/** The protocols the runtime's streaming server speaks (CRI-O's and containerd's, from the kubelet's streaming package). */
export const EXEC_PROTOCOL = 'v4.channel.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface RuntimeStreams<K extends string> {
  streams: Record<K, SpdyStream>;
  close(): void;
}

/**
 * Connects to the URL a CRI Exec, Attach or PortForward answered with, on
 * the runtime's streaming server, over SPDY/3.1 as the kubelet's clients do
 * (SPDY, unlike the runtime's WebSocket, can close stdin alone, which
 * `kubectl cp` and `exec -i` need), and opens the streams asked for, in
 * order, each with its headers (streamtype, and port and requestid for a
 * port-forward).
 */
export async function openRuntimeStreams<K extends string>(url: string, protocol: string, requests: { key: K; headers: Record<string, string> }[]): Promise<RuntimeStreams<K>> {
  const target = new URL(url);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const req = request({
      host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocol },
    });
    req.once('upgrade', (_res, s) => resolve(s as Socket));
    req.once('response', (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => reject(new Error(`the runtime's streaming server refused the upgrade (${res.statusCode}): ${body.trim()}`)));
    });
    req.once('error', reject);
    req.end();
  });
  const conn: SpdyConnection = spdyConnection(socket, false);
  conn.on('error', () => socket.destroy());
  conn.start(3.1);
  const streams = {} as Record<K, SpdyStream>;
  try {
    for (const { key, headers } of requests) {
      streams[key] = await new Promise<SpdyStream>((resolve, reject) => {
        const stream = conn.request({ method: 'POST', path: '/', headers }, (err) => (err ? reject(err) : resolve(stream)));
        // spdy-transport takes a reply as an HTTP response and resets a stream whose reply has no :status, which
        // Kubernetes' SPDY streams never carry (the runtime would see stdin closed): these streams expect no response.
        (stream as unknown as { _spdyState: { needResponse: boolean } })._spdyState.needResponse = false;
        // A stream cut by the connection's end (the runtime hangs up once it sent the status) has nothing left to say.
        stream.on('error', () => undefined);
      });
    }
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return {
    streams,
    close: () => {
      conn.destroyStreams();
      socket.destroy();
    },
  };
}
