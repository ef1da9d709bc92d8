import test from 'ava';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { TRUNCATED_RESPONSE, decode, encode, type Answer, type DecodedPacket } from 'dns-packet';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { answerData, query, queryMessage, tcpExchange, udpExchange } from '../helpers/dns-query.js';
import { freePort } from '../helpers/free-port.js';
import { createNamespace, createService, createSlice, startDns, type RunningDns } from './dns-fixtures.js';

/**
 * A stand-in upstream resolver on 127.0.0.1, over UDP and TCP: small.example.org
 * is one address, big.example.org fifty (truncated, without answers, over UDP),
 * 9.9.9.9's reverse name a PTR; it notes which transport each query came by.
 */
interface FakeUpstream {
  port: number;
  seen: string[];
  close(): Promise<void>;
}

function upstreamAnswer(query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer {
  const q = query.questions![0];
  let answers: Answer[] = [];
  let flags = 0;
  if (q.name === 'small.example.org') answers = [{ type: 'A', name: q.name, ttl: 30, data: '192.0.2.1' }];
  if (q.name === 'big.example.org') {
    if (transport === 'udp') flags = TRUNCATED_RESPONSE;
    else answers = Array.from({ length: 50 }, (_, i) => ({ type: 'A', name: q.name, ttl: 30, data: `198.51.100.${i + 1}` }));
  }
  if (q.name === '9.9.9.9.in-addr.arpa') answers = [{ type: 'PTR', name: q.name, ttl: 30, data: 'dns9.example.net' }];
  return encode({ type: 'response', id: query.id, flags: flags | (answers.length || flags ? 0 : 3), questions: query.questions, answers });
}

async function startUpstream(): Promise<FakeUpstream> {
  const port = await freePort();
  const seen: string[] = [];
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, from) => {
    const q = decode(msg);
    seen.push(`udp ${q.questions![0].name}`);
    udp.send(upstreamAnswer(q, 'udp'), from.port, from.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));
  const tcp: Server = createServer((socket) => {
    socket.on('data', (data: Buffer) => {
      const q = decode(data.subarray(2));
      seen.push(`tcp ${q.questions![0].name}`);
      const reply = upstreamAnswer(q, 'tcp');
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([length, reply]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  return {
    port, seen,
    close: async () => {
      udp.close();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

let cluster: TestCluster;
let admin: RestClient;
let upstream: FakeUpstream;
let dns: RunningDns;

test.before(async () => {
  cluster = await startCluster();
  admin = adminClient(cluster);
  await createNamespace(admin, 'dns-fwd');
  await createService(admin, 'dns-fwd', 'many', { clusterIP: 'None' });
  await createSlice(admin, 'dns-fwd', 'many', 'many-a', Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.9.${i + 1}` })));
  upstream = await startUpstream();
  dns = await startDns(cluster, { upstreams: [{ host: '127.0.0.1', port: upstream.port }] });
});

test.after.always(async () => {
  await dns?.stop();
  await upstream?.close();
  admin?.close();
  await cluster?.stop();
});

test.serial('names outside the zone, and reverse names of other addresses, are forwarded over UDP and the reply relayed', async (t) => {
  upstream.seen.length = 0;
  const reply = await query(dns.port, 'small.example.org', 'A');
  t.is(reply.rcode, 'NOERROR');
  t.deepEqual(answerData(reply, 'A'), ['192.0.2.1']);
  t.deepEqual(answerData(await query(dns.port, '9.9.9.9.in-addr.arpa', 'PTR'), 'PTR'), ['dns9.example.net']);
  t.is((await query(dns.port, 'nothing.example.org', 'A')).rcode, 'NXDOMAIN');
  t.deepEqual(upstream.seen, ['udp small.example.org', 'udp 9.9.9.9.in-addr.arpa', 'udp nothing.example.org']);
});

test.serial('a query over TCP is forwarded over TCP', async (t) => {
  upstream.seen.length = 0;
  t.deepEqual(answerData(await query(dns.port, 'small.example.org', 'A', { transport: 'tcp' }), 'A'), ['192.0.2.1']);
  t.deepEqual(upstream.seen, ['tcp small.example.org']);
});

test.serial('a truncated upstream reply is asked again over TCP; the client gets what fits its UDP size, with TC when it does not all fit', async (t) => {
  upstream.seen.length = 0;
  const full = await query(dns.port, 'big.example.org', 'A', { edns: 4096 });
  t.is(answerData(full, 'A').length, 50);
  t.false(full.flag_tc);
  t.deepEqual(upstream.seen, ['udp big.example.org', 'tcp big.example.org']);
  const reply = await udpExchange(dns.port, queryMessage('big.example.org', 'A'));
  t.true(reply!.length <= 512);
  const small = decode(reply!);
  t.true(small.flag_tc);
  t.true(answerData(small, 'A').length < 50);
});

test('a large headless answer is truncated with TC over UDP and whole over TCP', async (t) => {
  const udp = await udpExchange(dns.port, queryMessage('many.dns-fwd.svc.cluster.local', 'A'));
  t.true(udp!.length <= 512);
  const truncated = decode(udp!);
  t.true(truncated.flag_tc);
  t.true(answerData(truncated, 'A').length > 0 && answerData(truncated, 'A').length < 60);
  const edns = await query(dns.port, 'many.dns-fwd.svc.cluster.local', 'A', { edns: 1232 });
  t.true(edns.flag_tc, 'sixty records do not fit 1232 bytes without name compression');
  const whole = await query(dns.port, 'many.dns-fwd.svc.cluster.local', 'A', { transport: 'tcp' });
  t.false(whole.flag_tc);
  t.is(answerData(whole, 'A').length, 60);
});

test('malformed messages are dropped or answered FORMERR, and the server goes on answering', async (t) => {
  t.is(await udpExchange(dns.port, Buffer.from([1, 2, 3]), 300), undefined, 'shorter than a header: dropped');
  // A header that promises a question the message does not hold.
  const header = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
  const formerr = decode((await udpExchange(dns.port, header))!);
  t.is(formerr.id, 0xabcd);
  t.is((formerr as DecodedPacket & { rcode: string }).rcode, 'FORMERR');
  const garbage = Buffer.concat([header, Buffer.from([0xc0, 0xff, 0xff, 0x3f, 0x41])]);
  t.is((decode((await tcpExchange(dns.port, garbage))!) as DecodedPacket & { rcode: string }).rcode, 'FORMERR');
  const twoQuestions = Buffer.from(queryMessage('small.example.org', 'A'));
  twoQuestions.writeUInt16BE(0, 4);
  t.is((decode((await udpExchange(dns.port, twoQuestions))!) as DecodedPacket & { rcode: string }).rcode, 'FORMERR', 'no question');
  t.is(await udpExchange(dns.port, Buffer.from(encode({ type: 'response', id: 7, questions: [{ type: 'A', name: 'x.example.org' }] })), 300), undefined, 'a response: dropped');
  t.deepEqual(answerData(await query(dns.port, 'small.example.org', 'A'), 'A'), ['192.0.2.1']);
});

test('an upstream that does not answer is SERVFAIL', async (t) => {
  const closed = await freePort();
  const lonely = await startDns(cluster, { upstreams: [{ host: '127.0.0.1', port: closed }] });
  try {
    t.is((await query(lonely.port, 'small.example.org', 'A', { timeoutMs: 6000 })).rcode, 'SERVFAIL');
  } finally {
    await lonely.stop();
  }
});
