import { AUTHORITATIVE_ANSWER, RECURSION_AVAILABLE, TRUNCATED_RESPONSE, decode, encode, encodingLength, type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { log } from '../client/log.js';
import type { ClusterZone, ZoneAnswer } from './cluster-zone.js';
import type { DnsMetrics } from './dns-metrics.js';
import type { Upstream } from './upstream.js';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;
type Rcode = (typeof RCODES)[number];
const rcodeName = (code: number): string => RCODES[code] ?? `RCODE${code}`;

/** RFC 1035's UDP limit without EDNS. */
const CLASSIC_UDP_SIZE = 512;
/** The most a UDP answer carries whatever a client offers: beyond, clients retry over TCP. */
const MAX_UDP_SIZE = 4096;
/** The UDP payload this server offers in its EDNS answers: the DNS Flag Day 2020 size, which fragments nowhere. */
const ADVERTISED_UDP_SIZE = 1232;
/** The query flags an answer keeps: the opcode, recursion desired, checking disabled. */
const ECHOED_FLAGS = 0x7800 | 0x0100 | 0x0010;

export interface QueryHandlerOptions {
  zone: ClusterZone;
  /** Without one, names outside the zone are REFUSED. */
  upstream?: Upstream;
  metrics?: DnsMetrics;
  /** False until the informers have synced: a half-filled zone must not deny names, so its names answer SERVFAIL until then. */
  synced(): boolean;
}

/** Where a query came in. */
export interface QuerySource {
  /** The listener, as CoreDNS names it in its metrics: dns://ADDRESS:PORT. */
  server: string;
  transport: 'udp' | 'tcp';
  family: 'IPv4' | 'IPv6';
}

interface Outcome {
  reply: Buffer;
  zone: string;
  type: string;
  rcode: string;
}

/**
 * Turns one DNS message into its answer: the cluster zone answers its own
 * names (authoritatively), the upstream everything else. What cannot be
 * parsed as a query at all is dropped; a query whose header parses but not
 * the rest answers FORMERR. UDP answers larger than the client takes (512
 * bytes, or its EDNS payload size) lose records and carry TC, and the client
 * asks again over TCP.
 */
export class QueryHandler {
  constructor(private readonly opts: QueryHandlerOptions) {}

  /** The answer to send back, or undefined to send nothing. */
  async handle(message: Buffer, from: QuerySource): Promise<Buffer | undefined> {
    const started = performance.now();
    const outcome = await this.respond(message, from.transport);
    if (outcome) {
      this.opts.metrics?.observe({
        server: from.server, zone: outcome.zone, transport: from.transport, family: from.family === 'IPv6' ? 2 : 1,
        type: outcome.type, rcode: outcome.rcode, seconds: (performance.now() - started) / 1000,
      });
    }
    return outcome?.reply;
  }

  private async respond(message: Buffer, transport: 'udp' | 'tcp'): Promise<Outcome | undefined> {
    // Shorter than a header, or a response rather than a query: answering could only feed a loop or a reflection.
    if (message.length < 12 || (message[2] & 0x80) !== 0) return undefined;
    let query: DecodedPacket;
    try {
      query = decode(message);
    } catch {
      return this.reply({ id: message.readUInt16BE(0), flags: message.readUInt16BE(2) & 0x7fff, questions: [], additionals: [] } as unknown as DecodedPacket, 'FORMERR', '.', 'other');
    }
    if (((query.flags ?? 0) >> 11) & 0xf) return this.reply(query, 'NOTIMP', '.', 'other');
    const question = query.questions?.length === 1 ? query.questions[0] : undefined;
    if (!question) return this.reply(query, 'FORMERR', '.', 'other');
    const limit = transport === 'udp' ? udpLimit(query) : 0xffff;
    const zone = this.opts.zone;
    if ((question.class ?? 'IN') === 'IN' && zone.isAuthoritativeFor(question.name)) {
      if (!this.opts.synced()) return this.reply(query, 'SERVFAIL', `${zone.domain}.`, question.type, undefined, limit);
      const answer = zone.lookup(question.name, question.type);
      if (answer) return this.reply(query, answer.rcode, `${zone.domain}.`, question.type, answer, limit);
    }
    if (!this.opts.upstream) return this.reply(query, 'REFUSED', '.', question.type);
    let relayed: Buffer;
    try {
      relayed = await this.opts.upstream.forward(message, transport);
    } catch (err) {
      log.warn('forwarding a query failed', { name: question.name, type: question.type, error: (err as Error).message });
      return this.reply(query, 'SERVFAIL', '.', question.type);
    }
    const rcode = rcodeName(relayed[3] & 0xf);
    if (relayed.length <= limit) return { reply: relayed, zone: '.', type: question.type, rcode };
    try {
      return { reply: fit(decode(relayed), limit), zone: '.', type: question.type, rcode };
    } catch {
      return this.reply(query, 'SERVFAIL', '.', question.type);
    }
  }

  private reply(query: DecodedPacket, rcode: Rcode, zone: string, type: string, answer?: ZoneAnswer, limit = 0xffff): Outcome {
    const authoritative = answer !== undefined || (rcode === 'SERVFAIL' && zone !== '.');
    const flags = ((query.flags ?? 0) & ECHOED_FLAGS) | (authoritative ? AUTHORITATIVE_ANSWER : 0) | (this.opts.upstream ? RECURSION_AVAILABLE : 0) | RCODES.indexOf(rcode);
    const edns = query.additionals?.some((a) => a.type === 'OPT');
    const packet: Packet = {
      type: 'response', id: query.id, flags,
      questions: query.questions ?? [],
      answers: answer?.answers ?? [],
      authorities: answer?.authorities ?? [],
      additionals: [...(answer?.additionals ?? []), ...(edns ? [optRecord()] : [])],
    };
    try {
      return { reply: fit(packet, limit), zone, type, rcode };
    } catch (err) {
      // A record the encoder refuses (an ExternalName with an over-long label, say) fails this one query, not the server.
      log.warn('encoding an answer failed', { name: query.questions?.[0]?.name, error: (err as Error).message });
      return { reply: encode({ ...packet, answers: [], authorities: [], additionals: [], flags: (flags & ~0xf) | RCODES.indexOf('SERVFAIL') }), zone, type, rcode: 'SERVFAIL' };
    }
  }
}

/** What a UDP answer may take: 512 bytes, or the client's EDNS payload size up to MAX_UDP_SIZE. */
function udpLimit(query: DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return opt ? Math.min(MAX_UDP_SIZE, Math.max(CLASSIC_UDP_SIZE, opt.udpPayloadSize ?? 0)) : CLASSIC_UDP_SIZE;
}

function optRecord(): Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: ADVERTISED_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

/**
 * The packet encoded within `limit` bytes: when it does not fit, it keeps
 * only its OPT record beyond the answers, as many answers as fit, and TC.
 */
function fit(packet: Packet, limit: number): Buffer {
  if (encodingLength(packet) <= limit) return encode(packet);
  const answers = [...(packet.answers ?? [])];
  const truncated: Packet = {
    ...packet, flags: (packet.flags ?? 0) | TRUNCATED_RESPONSE, answers, authorities: [],
    additionals: (packet.additionals ?? []).filter((a) => a.type === 'OPT'),
  };
  while (answers.length && encodingLength(truncated) > limit) answers.pop();
  return encode(truncated);
}
