import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { RECURSION_DESIRED, decode, encode, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';

export interface QueryOptions {
  /** Adds an EDNS OPT record offering this UDP payload size. */
  edns?: number;
  timeoutMs?: number;
}

/** A query message for one question, recursion desired, as a stub resolver sends it. */
export function queryMessage(name: string, type: RecordType, opts: QueryOptions = {}): Buffer {
  const packet: Packet = {
    type: 'query', id: Math.floor(Math.random() * 0x10000), flags: RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  };
  return encode(packet);
}

/** Sends raw bytes over UDP to 127.0.0.1:port; the reply, or undefined when none comes within the timeout. */
export function udpExchange(port: number, message: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (reply: Buffer | undefined, err?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply);
    };
    socket.on('error', (err) => done(undefined, err));
    socket.on('message', (reply) => done(reply));
    socket.send(message, port, '127.0.0.1');
  });
}

/** Sends one length-prefixed message over a new TCP connection to 127.0.0.1:port and reads one reply. */
export function tcpExchange(port: number, message: Buffer, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => done(undefined, new Error('no TCP answer')), timeoutMs);
    const done = (reply: Buffer | undefined, err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    socket.on('error', (err) => done(undefined, err));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) done(pending.subarray(2, 2 + pending.readUInt16BE(0)));
    });
  });
}

/** A decoded answer with its rcode as a name. */
export type Reply = DecodedPacket & { rcode: string };

export async function query(port: number, name: string, type: RecordType, opts: QueryOptions & { transport?: 'udp' | 'tcp' } = {}): Promise<Reply> {
  const message = queryMessage(name, type, opts);
  const reply = opts.transport === 'tcp' ? await tcpExchange(port, message, opts.timeoutMs) : await udpExchange(port, message, opts.timeoutMs);
  if (!reply) throw new Error(`no answer to ${type} ${name}`);
  const decoded = decode(reply) as Reply;
  if (decoded.id !== message.readUInt16BE(0)) throw new Error('the answer has another ID than the query');
  return decoded;
}

/** The data of the answers of one type, sorted: what a test compares. */
export const answerData = (reply: DecodedPacket, type: string): unknown[] =>
  (reply.answers ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
