import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { TRUNCATED_RESPONSE } from 'dns-packet';
import { frame, readFrames } from './tcp-frames.js';

export interface UpstreamServer {
  host: string;
  port: number;
}

/** Parses --upstream: IP, IP:PORT, [IPv6] or [IPv6]:PORT, the port 53 unless given. */
export function parseUpstream(value: string): UpstreamServer {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? (isIP(value) === 6 ? [value, value, undefined] : /^([^:]+)(?::(\d+))?$/.exec(value));
  const host = m?.[1];
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!host || !isIP(host) || !(port > 0 && port < 65536)) throw new Error(`invalid upstream ${JSON.stringify(value)}: want IP[:PORT]`);
  return { host, port };
}

const UPSTREAM_TIMEOUT_MS = 2000;

/**
 * The resolvers names outside the cluster's zone are forwarded to. A query
 * goes to each in turn until one answers: over UDP, again over TCP when the
 * reply comes back truncated, and over TCP from the start when the client
 * asked over TCP. Each exchange uses its own message ID (and, over UDP, its
 * own socket and source port), so a reply can only be the one asked for.
 */
export class Upstream {
  constructor(readonly servers: UpstreamServer[], private readonly timeoutMs = UPSTREAM_TIMEOUT_MS) {
    if (!servers.length) throw new Error('an upstream needs at least one server');
  }

  /** The upstream's reply to a query, with the query's own ID; throws when no server answers. */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    const failures: string[] = [];
    for (const server of this.servers) {
      try {
        let reply = transport === 'udp' ? await this.exchange(server, query, exchangeUdp) : undefined;
        if (!reply || reply.readUInt16BE(2) & TRUNCATED_RESPONSE) reply = await this.exchange(server, query, exchangeTcp);
        return reply;
      } catch (err) {
        failures.push(`${server.host}:${server.port}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no upstream answered: ${failures.join('; ')}`);
  }

  private async exchange(server: UpstreamServer, query: Buffer, send: Exchange): Promise<Buffer> {
    const id = randomInt(0x10000);
    const message = Buffer.from(query);
    message.writeUInt16BE(id, 0);
    const reply = await send(server, message, id, this.timeoutMs);
    const relayed = Buffer.from(reply);
    relayed.writeUInt16BE(query.readUInt16BE(0), 0);
    return relayed;
  }
}

type Exchange = (server: UpstreamServer, message: Buffer, id: number, timeoutMs: number) => Promise<Buffer>;

/** A reply is ours when it is a response (QR) with our ID: a DNS message header is 12 bytes. */
const isReplyTo = (reply: Buffer, id: number): boolean => reply.length >= 12 && reply.readUInt16BE(0) === id && (reply[2] & 0x80) !== 0;

const exchangeUdp: Exchange = (server, message, id, timeoutMs) => new Promise((resolve, reject) => {
  const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
  const timer = setTimeout(() => finish(new Error(`no answer over UDP within ${timeoutMs} ms`)), timeoutMs);
  const finish = (err?: Error, reply?: Buffer) => {
    clearTimeout(timer);
    socket.close();
    if (err) reject(err);
    else resolve(reply!);
  };
  socket.on('error', (err) => finish(err));
  // A connected socket only hears from the server it sent to.
  socket.on('message', (reply) => {
    if (isReplyTo(reply, id)) finish(undefined, reply);
  });
  socket.connect(server.port, server.host, () => socket.send(message));
});

const exchangeTcp: Exchange = (server, message, id, timeoutMs) => new Promise((resolve, reject) => {
  const socket = connect({ host: server.host, port: server.port });
  const timer = setTimeout(() => finish(new Error(`no answer over TCP within ${timeoutMs} ms`)), timeoutMs);
  let done = false;
  const finish = (err?: Error, reply?: Buffer) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    if (err) reject(err);
    else resolve(reply!);
  };
  socket.on('error', (err) => finish(err));
  socket.on('close', () => finish(new Error('the connection closed before an answer')));
  socket.on('connect', () => socket.write(frame(message)));
  readFrames(socket, (frame) => {
    if (isReplyTo(frame, id)) finish(undefined, frame);
  });
});
