import test from 'ava';
import { ipFamily, isValidIP, parseCIDR, validateNonSpecialIP } from './ip.js';
import { portNameProblems, validatePortNumOrName } from './ports.js';

test('IPv4 and IPv6 parsing', (t) => {
  for (const ip of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '010.0.0.1', '::', '::1', 'fd00::1', '2001:db8:0:0:0:0:0:1', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4']) {
    t.true(isValidIP(ip), ip);
  }
  for (const ip of ['', '256.0.0.1', '1.2.3', 'a.b.c.d', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '10.0.0.1/24', 'None']) {
    t.false(isValidIP(ip), ip);
  }
  t.is(ipFamily('::ffff:1.2.3.4'), 4);
  t.is(ipFamily('fd00::1'), 6);
  t.truthy(parseCIDR('10.0.0.0/8'));
  t.falsy(parseCIDR('10.0.0.0/33'));
  t.truthy(parseCIDR('fd00::/64'));
});

test('special addresses', (t) => {
  t.deepEqual(validateNonSpecialIP('f', '10.1.2.3'), []);
  t.is(validateNonSpecialIP('f', '0.0.0.0')[0].message, 'f: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)');
  t.is(validateNonSpecialIP('f', '169.254.169.254')[0].message, 'f: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)');
  t.is(validateNonSpecialIP('f', '224.0.0.5')[0].message, 'f: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)');
  t.is(validateNonSpecialIP('f', '::1').length, 1);
  t.is(validateNonSpecialIP('f', 'fe80::1').length, 1);
});

test('port names and numbers', (t) => {
  t.deepEqual(portNameProblems('http'), []);
  t.deepEqual(portNameProblems('8080'), ['must contain at least one letter (a-z)']);
  t.deepEqual(portNameProblems('-a-very-long-port-name'), ['must be no more than 15 characters', 'must not begin or end with a hyphen']);
  t.deepEqual(validatePortNumOrName('p', 8080), []);
  t.is(validatePortNumOrName('p', 0)[0].message, 'p: Invalid value: 0: must be between 1 and 65535, inclusive');
  t.is(validatePortNumOrName('p', 'HTTP')[0].message, 'p: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
});
