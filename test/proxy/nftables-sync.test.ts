import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { deleteNetns, ensureNetns } from '../../infra/local/ip.js';
import { fullSyncScript, partialSyncScript } from '../../proxy/nft-transaction.js';
import { nftIn } from '../../proxy/nft.js';
import { desiredRuleset } from '../../proxy/nftables-ruleset.js';
import type { Endpoint, ServicePort } from '../../proxy/service-port.js';

const TABLE = 'skiff-proxy';
const netns = `skiff-nft-${randomBytes(3).toString('hex')}`;
const nft = nftIn(netns);
test.before(() => ensureNetns(netns));
test.after.always(() => deleteNetns(netns));

const listed = () => execFileSync('nsenter', [`--net=/run/netns/${netns}`, '/usr/sbin/nft', 'list', 'table', 'ip', TABLE], { encoding: 'utf8' });
const ep = (ip: string, extra: Partial<Endpoint> = {}): Endpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false, local: false, ...extra });
const port = (name: string, extra: Partial<ServicePort> = {}): ServicePort => ({
  id: `default/${name}/tcp/http`, namespace: 'default', name, portName: 'http', protocol: 'tcp', clusterIP: '10.96.0.20', port: 80,
  externalIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, endpoints: [ep('10.244.1.5'), ep('10.244.2.7')], ...extra,
});
const ctx = { clusterCidrs: ['10.244.0.0/16'], nodePortIPs: ['10.0.0.11'] };

test.serial('a full sync writes the table kube-proxy\'s nftables mode lays out, in one transaction nft accepts', async (t) => {
  const want = desiredRuleset([
    port('web', { nodePort: 30080 }), port('empty', { clusterIP: '10.96.0.21', endpoints: [] }),
    port('dns', { id: 'default/dns/udp/dns', protocol: 'udp', clusterIP: '10.96.0.10', port: 53 }),
    port('signal', { id: 'default/signal/sctp/s', protocol: 'sctp', clusterIP: '10.96.0.11', port: 3868 }),
  ], ctx);
  await nft.apply(fullSyncScript(TABLE, want, (await nft.list(TABLE)) ?? { chains: [], sets: [] }));
  const text = listed();
  t.regex(text, /10\.96\.0\.20 \. tcp \. 80 : goto service-\w+-default\/web\/tcp\/http/);
  t.regex(text, /tcp \. 30080 : goto external-\w+-default\/web\/tcp\/http/);
  t.regex(text, /numgen random mod 2 vmap \{ 0 : goto endpoint-\w+-default\/web\/tcp\/http__10\.244\.1\.5\/8080, 1 : goto endpoint-\w+-default\/web\/tcp\/http__10\.244\.2\.7\/8080 \}/);
  t.regex(text, /meta l4proto tcp dnat to 10\.244\.2\.7:8080/);
  t.regex(text, /10\.96\.0\.21 \. tcp \. 80 : goto reject-chain/, 'a Service with no endpoints is rejected');
  t.regex(text, /ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade/);
  t.regex(text, /10\.96\.0\.10 \. udp \. 53 : goto service-\w+-default\/dns\/udp\/dns/);
  t.regex(text, /meta l4proto udp dnat to 10\.244\.1\.5:8080/);
  t.regex(text, /10\.96\.0\.11 \. sctp \. 3868 : goto service-/, 'SCTP, where the kernel has it');
});

test.serial('a partial sync changes only the chains and map elements that changed, and removes what went', async (t) => {
  const before = desiredRuleset([port('web'), port('api', { clusterIP: '10.96.0.30' })], ctx);
  await nft.apply(fullSyncScript(TABLE, before, (await nft.list(TABLE)) ?? { chains: [], sets: [] }));
  const after = desiredRuleset([port('web', { endpoints: [ep('10.244.1.5'), ep('10.244.3.9')] })], ctx);
  const script = partialSyncScript(TABLE, before, after);
  t.notRegex(script, /endpoint-\w+-default\/web\/tcp\/http__10\.244\.1\.5\/8080 /, 'an unchanged endpoint chain is not touched');
  t.regex(script, /^add chain ip skiff-proxy endpoint-\w+-default\/web\/tcp\/http__10\.244\.3\.9\/8080$/m);
  t.regex(script, /^flush chain ip skiff-proxy service-\w+-default\/web\/tcp\/http$/m);
  t.regex(script, /^delete chain ip skiff-proxy endpoint-\w+-default\/web\/tcp\/http__10\.244\.2\.7\/8080$/m);
  t.regex(script, /^delete element ip skiff-proxy service-ips \{ 10\.96\.0\.30 \. tcp \. 80 \}$/m);
  t.false(/nat-prerouting|masquerading/.test(script), 'static chains are left alone');
  await nft.apply(script);
  const text = listed();
  t.false(text.includes('10.244.2.7'));
  t.false(text.includes('default/api'));
  t.true(text.includes('dnat to 10.244.3.9:8080'));
  t.is(partialSyncScript(TABLE, after, desiredRuleset([port('web', { endpoints: [ep('10.244.1.5'), ep('10.244.3.9')] })], ctx)), '', 'nothing changed: no transaction');
});

test.serial('session affinity pins a client with a timed set per endpoint; a full sync keeps the set and removes stale objects', async (t) => {
  const sticky = desiredRuleset([port('web', { affinitySeconds: 600 })], ctx);
  await nft.apply(fullSyncScript(TABLE, sticky, (await nft.list(TABLE)) ?? { chains: [], sets: [] }));
  const text = listed();
  t.regex(text, /set affinity-\w+-600 \{\s+type ipv4_addr\s+size \d+\s+flags dynamic,timeout\s+timeout 10m/);
  t.regex(text, /ip saddr @affinity-\w+-600 goto endpoint-/);
  t.regex(text, /update @affinity-\w+-600 \{ ip saddr \}/);
  const plain = desiredRuleset([port('web')], ctx);
  await nft.apply(fullSyncScript(TABLE, plain, (await nft.list(TABLE))!));
  t.false(listed().includes('affinity-'), 'the affinity sets go when affinity is turned off');
});

test.serial('externalTrafficPolicy Local sends outside traffic only to this node\'s endpoints and drops it when there is none; internalTrafficPolicy Local does the same for cluster traffic', async (t) => {
  const rs = desiredRuleset([
    port('local', { nodePort: 30081, externalPolicyLocal: true, endpoints: [ep('10.244.1.5', { local: true }), ep('10.244.2.7')] }),
    port('remote', { clusterIP: '10.96.0.22', nodePort: 30082, externalPolicyLocal: true, internalPolicyLocal: true, endpoints: [ep('10.244.2.7')] }),
  ], ctx);
  const local = [...rs.chains].find(([name]) => name.startsWith('local-') && name.includes('/local/'))![1];
  t.regex(local.rules.at(-1)!, /numgen random mod 1 vmap \{ 0 : goto endpoint-\w+-default\/local\/tcp\/http__10\.244\.1\.5\/8080 \}/);
  const remoteLocal = [...rs.chains].find(([name]) => name.startsWith('local-') && name.includes('/remote/'))![1];
  t.is(remoteLocal.rules.at(-1), 'drop');
  t.regex(rs.maps.get('service-ips')!.get('10.96.0.22 . tcp . 80')!, /^goto local-/);
  const external = [...rs.chains].find(([name]) => name.startsWith('external-') && name.includes('/local/'))![1];
  t.deepEqual(external.rules.slice(1, 3), ['fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${[...rs.chains.keys()].find((n) => n.startsWith('service-') && n.includes('/local/'))}`]);
  await nft.apply(fullSyncScript(TABLE, rs, (await nft.list(TABLE)) ?? { chains: [], sets: [] }));
  t.pass();
});

test.serial('terminating endpoints get no new connections while a ready one exists, and serve when none is ready', (t) => {
  const mixed = desiredRuleset([port('web', { endpoints: [ep('10.244.1.5'), ep('10.244.2.7', { ready: false, serving: true, terminating: true })] })], ctx);
  t.false([...mixed.chains.keys()].some((c) => c.includes('10.244.2.7')));
  const draining = desiredRuleset([port('web', { endpoints: [ep('10.244.2.7', { ready: false, serving: true, terminating: true })] })], ctx);
  t.true([...draining.chains.keys()].some((c) => c.includes('10.244.2.7')));
  const gone = desiredRuleset([port('web', { endpoints: [ep('10.244.2.7', { ready: false, serving: false, terminating: true })] })], ctx);
  t.is(gone.maps.get('no-endpoint-services')!.get('10.96.0.20 . tcp . 80'), 'goto reject-chain');
});
