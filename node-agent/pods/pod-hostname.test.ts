import test from 'ava';
import { podHostname } from './pod-hostname.js';

const pod = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name, namespace: 'shop' }, spec });

test('the pod\'s hostname: spec.hostname, else its name cut to 63 characters and off a trailing - or .', (t) => {
  t.is(podHostname(pod('web-0'), 'cluster.local'), 'web-0');
  t.is(podHostname(pod('web-0', { hostname: 'db', subdomain: 'backends' }), 'cluster.local'), 'db');
  t.is(podHostname(pod(`${'a'.repeat(62)}-.b`), 'cluster.local'), 'a'.repeat(62));
  t.is(podHostname(pod('x'.repeat(80)), 'cluster.local'), 'x'.repeat(63));
});

test('setHostnameAsFQDN with a subdomain: the FQDN, which must fit in 64 characters', (t) => {
  t.is(podHostname(pod('web-0', { subdomain: 'web', setHostnameAsFQDN: true }), 'cluster.local'), 'web-0.web.shop.svc.cluster.local');
  t.is(podHostname(pod('web-0', { setHostnameAsFQDN: true }), 'cluster.local'), 'web-0', 'no subdomain: no domain to add');
  t.throws(() => podHostname(pod('w'.repeat(40), { subdomain: 'web', setHostnameAsFQDN: true }), 'cluster.local'), { message: /is 67 characters, more than the 64/ });
});
