import test from 'ava';
import { formatCidr, parseCidr } from '../../api/net.js';
import { CidrSet, NO_CIDRS_REMAINING } from './cidr-set.js';
import { nodeCidrMaskSizes, parseClusterCidrs } from './node-ipam-controller.js';

const next = (set: CidrSet) => formatCidr(set.allocateNext());

test('blocks are handed out in turn, a released one only after the rest', (t) => {
  const set = new CidrSet(parseCidr('10.0.0.0/22'), 24);
  t.deepEqual([next(set), next(set), next(set)], ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  set.release(parseCidr('10.0.0.0/24'));
  t.is(next(set), '10.0.3.0/24');
  t.is(next(set), '10.0.0.0/24');
  t.throws(() => set.allocateNext(), { message: NO_CIDRS_REMAINING });
});

test('occupying a range marks every block it touches, and nothing outside the cluster CIDR', (t) => {
  const set = new CidrSet(parseCidr('10.0.0.0/22'), 24);
  set.occupy(parseCidr('10.0.1.128/25'));
  set.occupy(parseCidr('10.0.2.0/23'));
  t.is(next(set), '10.0.0.0/24');
  t.throws(() => set.allocateNext(), { message: NO_CIDRS_REMAINING });
  t.throws(() => set.occupy(parseCidr('10.1.0.0/24')), { message: 'cidr 10.1.0.0/24 is out the range of cluster cidr 10.0.0.0/22' });
  const whole = new CidrSet(parseCidr('10.0.0.0/22'), 24);
  whole.occupy(parseCidr('10.0.0.0/8'));
  t.throws(() => whole.allocateNext(), { message: NO_CIDRS_REMAINING });
});

test('IPv6 blocks are written as Go writes them', (t) => {
  const set = new CidrSet(parseCidr('fd00:10:244::/56'), 64);
  t.is(next(set), 'fd00:10:244::/64');
  t.is(next(set), 'fd00:10:244:1::/64');
  t.is(formatCidr(parseCidr('2001:db8:0:0:1:0:0:1/128')), '2001:db8::1:0:0:1/128');
  t.is(formatCidr(parseCidr('10.1.2.3/16')), '10.1.0.0/16', 'host bits are dropped');
  t.throws(() => new CidrSet(parseCidr('fd00::/32'), 64), { message: /at most 65536 node CIDRs/ });
});

test('node CIDR sizes follow kube: per family by default, one flag for single-stack, per-family flags for dual-stack', (t) => {
  const dual = parseClusterCidrs('10.244.0.0/16,fd00:10:244::/56');
  t.deepEqual(nodeCidrMaskSizes({}, dual), [24, 64]);
  t.deepEqual(nodeCidrMaskSizes({ nodeCidrMaskSizeIpv4: 26 }, dual), [26, 64]);
  t.throws(() => nodeCidrMaskSizes({ nodeCidrMaskSize: 24 }, dual), { message: 'usage of --node-cidr-mask-size is not allowed with dual-stack clusters' });
  t.deepEqual(nodeCidrMaskSizes({}, parseClusterCidrs('fd00::/48')), [64]);
  t.deepEqual(nodeCidrMaskSizes({ nodeCidrMaskSize: 25 }, parseClusterCidrs('10.0.0.0/16')), [25]);
  t.throws(() => nodeCidrMaskSizes({ nodeCidrMaskSizeIpv6: 64 }, parseClusterCidrs('10.0.0.0/16')), { message: /not allowed for a single-stack IPv4 cluster/ });
  t.throws(() => parseClusterCidrs('10.0.0.0/16,10.1.0.0/16'), { message: /one IPv4 and one IPv6/ });
  t.throws(() => parseClusterCidrs('10.0.0.0/33'), { message: 'invalid CIDR address: 10.0.0.0/33' });
});
