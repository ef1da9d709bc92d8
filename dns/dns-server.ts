import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { log } from '../client/log.js';
import { closableServer } from '../component-base/close-server.js';
import type { QueryHandler } from './query-handler.js';
import { frame, readFrames } from './tcp-frames.js';

export interface DnsServerOptions {
  bindAddress: string;
  /** 0 picks a free port, the same for UDP and TCP (tests). */
  port: number;
  handler: QueryHandler;
}

/** A TCP connection idle this long is closed, as RFC 7766 lets a server do to keep its connections few. */
const TCP_IDLE_TIMEOUT_MS = 10_000;
/** Tries at finding one free port for both UDP and TCP when the port is 0. */
const EPHEMERAL_ATTEMPTS = 10;

/**
 * DNS over UDP and TCP on one address and port: each datagram, and each
 * length-prefixed message on a connection, goes to the handler, and its
 * answer goes back the way the query came. A failure answering one message
 * is logged and ends nothing else.
 */
export class DnsServer {
  private constructor(private readonly udp: UdpSocket, private readonly tcp: Server, private readonly closeTcp: () => Promise<void>, readonly port: number) {}

  static async listen(opts: DnsServerOptions): Promise<DnsServer> {
    if (!isIP(opts.bindAddress)) throw new Error(`invalid --bind-address ${JSON.stringify(opts.bindAddress)}: want an IP address`);
    for (let attempt = 1; ; attempt++) {
      const name = { value: '' };
      const udp = await bindUdp(opts, name);
      const port = udp.address().port;
      name.value = `dns://${opts.bindAddress.includes(':') ? `[${opts.bindAddress}]` : opts.bindAddress}:${port}`;
      try {
        const tcp = await listenTcp(opts, port, name.value);
        return new DnsServer(udp, tcp, closableServer(tcp), port);
      } catch (err) {
        udp.close();
        // With an ephemeral port, UDP's pick may be taken for TCP: pick again.
        if (opts.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= EPHEMERAL_ATTEMPTS) throw err;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([new Promise<void>((resolve) => this.udp.close(() => resolve())), this.closeTcp()]);
  }
}

/** `server` names the listener once its port is known; no query arrives before. */
function bindUdp(opts: DnsServerOptions, server: { value: string }): Promise<UdpSocket> {
  const socket = createSocket({ type: isIP(opts.bindAddress) === 6 ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.bindAddress, () => {
      socket.off('error', reject);
      socket.on('error', (err) => log.error('dns udp socket error', { error: err.message }));
      socket.on('message', (message, from) => {
        opts.handler.handle(message, { server: server.value, transport: 'udp', family: from.family as 'IPv4' | 'IPv6' }).then(
          (reply) => reply && socket.send(reply, from.port, from.address),
          (err: Error) => log.error('answering a dns query failed', { transport: 'udp', error: err.message }),
        );
      });
      resolve(socket);
    });
  });
}

function listenTcp(opts: DnsServerOptions, port: number, name: string): Promise<Server> {
  const server = createServer((socket) => serveConnection(socket, opts.handler, name));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.bindAddress, () => {
      server.off('error', reject);
      server.on('error', (err) => log.error('dns tcp listener error', { error: err.message }));
      resolve(server);
    });
  });
}

/** Queries on one connection are answered as they complete, which RFC 7766 allows in any order. */
function serveConnection(socket: Socket, handler: QueryHandler, server: string): void {
  const family = (socket.remoteFamily ?? 'IPv4') as 'IPv4' | 'IPv6';
  socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  readFrames(socket, (message) => {
    handler.handle(message, { server, transport: 'tcp', family }).then(
      (reply) => {
        if (reply && !socket.destroyed) socket.write(frame(reply));
      },
      (err: Error) => log.error('answering a dns query failed', { transport: 'tcp', error: err.message }),
    );
  });
}
