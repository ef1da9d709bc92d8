import { request } from 'node:http';
import type { Socket } from 'node:net';
import spdy, { type SpdyConnection, type SpdyStream } from 'spdy-transport';

/** The channel protocol the runtime's streaming server speaks (CRI-O's and containerd's, from the kubelet's streaming package). */
const STREAM_PROTOCOL = 'v4.channel.k8s.io';

export type RuntimeStreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

export interface RuntimeStreams {
  streams: Partial<Record<RuntimeStreamType, SpdyStream>>;
  close(): void;
}

/**
 * Connects to the URL a CRI Exec or Attach answered with, on the runtime's
 * streaming server, over SPDY/3.1 as the kubelet's clients do (SPDY, unlike
 * the runtime's WebSocket, can close stdin alone, which `kubectl cp` and
 * `exec -i` need), and opens one stream per type: the error stream first,
 * where the runtime writes the command's final Status.
 */
export async function openRuntimeStreams(url: string, types: RuntimeStreamType[]): Promise<RuntimeStreams> {
  const target = new URL(url);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const req = request({
      host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': STREAM_PROTOCOL },
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
  const conn: SpdyConnection = spdy.connection.create(socket, { protocol: 'spdy', isServer: false });
  conn.on('error', () => socket.destroy());
  conn.start(3.1);
  const streams: RuntimeStreams['streams'] = {};
  try {
    for (const type of ['error', ...types.filter((t) => t !== 'error')] as RuntimeStreamType[]) {
      streams[type] = await new Promise<SpdyStream>((resolve, reject) => {
        const stream = conn.request({ method: 'POST', path: '/', headers: { streamtype: type } }, (err) => (err ? reject(err) : resolve(stream)));
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
