import test from 'ava';
import {
  canonicalIP, containsAddress, formatAddress, formatCidr, ipv4ToNumber, nthSubnet, numberToIPv4, overlaps, parseAddress, parseCidr, tryParseCidr,
} from './net.js';

test('addresses print as Go prints them: dotted IPv4, RFC 5952 IPv6', (t) => {
  t.deepEqual(canonicalIP('010.001.002.003'), { ip: '10.1.2.3', family: 4 });
  t.deepEqual(canonicalIP('::ffff:10.1.2.3'), { ip: '10.1.2.3', family: 4 }, 'IPv4-mapped IPv6 is IPv4');
  t.deepEqual(canonicalIP('2001:DB8:0:0:1:0:0:1'), { ip: '2001:db8::1:0:0:1', family: 6 }, 'the first of two equal runs');
  t.deepEqual(canonicalIP('2001:db8:0:1:1:1:1:1'), { ip: '2001:db8:0:1:1:1:1:1', family: 6 }, 'a single zero group stays');
  t.is(canonicalIP('10.1.2'), undefined);
  t.is(formatAddress(parseAddress('fe80::1')!.value, 6), 'fe80::1');
});

test('IPv4 addresses as 32-bit numbers, dotted forms only', (t) => {
  t.is(ipv4ToNumber('10.0.0.1'), 0x0a000001);
  t.is(ipv4ToNumber('::ffff:10.0.0.1'), undefined);
  t.is(ipv4ToNumber('10.0.0.256'), undefined);
  t.is(numberToIPv4(0xffffffff), '255.255.255.255');
});

test('CIDRs drop their host bits; containment, overlap and subnets by number', (t) => {
  t.is(formatCidr(parseCidr('10.1.2.3/16')), '10.1.0.0/16');
  t.throws(() => parseCidr('10.0.0.0/33'), { message: 'invalid CIDR address: 10.0.0.0/33' });
  t.is(tryParseCidr('fd00::/129'), undefined);
  const pods = parseCidr('10.128.0.0/9');
  t.true(containsAddress(pods, parseAddress('10.200.1.1')!.value, 4));
  t.false(containsAddress(pods, parseAddress('10.0.0.1')!.value, 4));
  t.true(overlaps(pods, parseCidr('10.0.0.0/8')));
  t.false(overlaps(pods, parseCidr('fd00::/8')));
  t.is(formatCidr(nthSubnet(pods, 24, 0)!), '10.128.0.0/24');
  t.is(formatCidr(nthSubnet(pods, 24, 257)!), '10.129.1.0/24');
  t.is(nthSubnet(pods, 24, 2 ** 15), undefined, 'a /9 has 2^15 /24s');
  t.is(formatCidr(nthSubnet(parseCidr('fd00:10:244::/56'), 64, 1)!), 'fd00:10:244:1::/64');
});
