import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderServerConfig, writeServerConfig, type NatsServerConfig } from './server-config.js';
import { generatePassword } from './password.js';
import { validateSubject } from './subject.js';

const password = generatePassword();
const config = (over: Partial<NatsServerConfig> = {}): NatsServerConfig => ({
  host: '127.0.0.1', port: 4222,
  tls: { certFile: '/etc/skiff/nats.crt', keyFile: '/etc/skiff/nats.key', caFile: '/etc/skiff/ca.crt' },
  users: [{ user: 'control-plane', password, publish: ['skiff.node.>'], subscribe: ['skiff.heartbeat.*'] }],
  ...over,
});

test('renders a TLS block and one user with its permissions and own inbox', (t) => {
  const text = renderServerConfig(config({ users: [
    { user: 'control-plane', password, publish: ['skiff.node.>'], subscribe: ['skiff.heartbeat.*'] },
    { user: 'node-a', password, respond: true },
  ] }));
  t.regex(text, /^tls \{\n {2}cert_file: "\/etc\/skiff\/nats\.crt"\n {2}key_file: "\/etc\/skiff\/nats\.key"\n {2}ca_file: "\/etc\/skiff\/ca\.crt"\n {2}verify: false\n {2}timeout: 2\n\}$/m);
  t.true(text.includes(`user: "control-plane"\n      password: "${password}"`));
  t.true(text.includes('publish { allow: ["skiff.node.>"] }'));
  t.true(text.includes('subscribe { allow: ["_INBOX.control-plane.>", "skiff.heartbeat.*"] }'));
  t.true(text.includes('publish { deny: [">"] }'), 'a user granted nothing to publish is denied everything');
  t.is(text.match(/allow_responses: true/g)?.length, 1);
});

test('verify and the handshake timeout are rendered as given', (t) => {
  const text = renderServerConfig(config({ tls: { ...config().tls, verify: true, timeoutSeconds: 0.5 } }));
  t.true(text.includes('  verify: true\n  timeout: 0.5\n'));
});

test('rejects inputs that would weaken or break the config, each with one line', (t) => {
  const bad: Array<[Partial<NatsServerConfig>, RegExp]> = [
    [{ users: [] }, /at least one user/],
    [{ tls: undefined as never }, /tls is required/],
    [{ port: 0 }, /port must be an integer/],
    [{ host: '127.0.0.1"\nport: 1' }, /host .* must be an IP address/],
    [{ tls: { ...config().tls, caFile: 'ca.crt' } }, /caFile must be an absolute path/],
    [{ tls: { ...config().tls, keyFile: '/etc/$HOME/k' } }, /must not contain quotes, backslashes, '\$'/],
    [{ tls: { ...config().tls, timeoutSeconds: 0 } }, /timeoutSeconds must be a positive number/],
    [{ users: [{ user: 'bad name', password }] }, /user name "bad name"/],
    [{ users: [{ user: 'a.b', password }] }, /user name "a\.b"/],
    [{ users: [{ user: 'a', password: 'short' }] }, /at least 32 characters/],
    [{ users: [{ user: 'a', password: `${password}"x` }] }, /must be base64url/],
    [{ users: [{ user: 'a', password }, { user: 'a', password }] }, /listed twice/],
    [{ users: [{ user: 'a', password, publish: ['skiff..x'] }] }, /token "" must be/],
    [{ users: [{ user: 'a', password, subscribe: ['skiff.>.x'] }] }, /'>' may only be the last token/],
    [{ users: [{ user: 'a', password, subscribe: ['skiff.a b'] }] }, /token "a b"/],
    [{ users: [{ user: 'a', password, subscribe: ['_INBOX.b.>'] }] }, /would reach other users' inboxes/],
    [{ users: [{ user: 'a', password, publish: ['>'] }] }, /would reach other users' inboxes/],
    [{ users: [{ user: 'a', password, publish: ['*.x'] }] }, /would reach other users' inboxes/],
  ];
  for (const [over, message] of bad) {
    const err = t.throws(() => renderServerConfig(config(over)), { message }, JSON.stringify(over));
    t.false(err?.message.includes('\n'), 'one line');
  }
});

test('validateSubject accepts tokens and wildcards in their places', (t) => {
  for (const s of ['skiff.node.ip-10-0-1-5.logs', 'skiff.*.logs', 'skiff.>', '_INBOX.x.>']) t.notThrows(() => validateSubject(s), s);
  for (const s of ['', '.a', 'a.', 'a.>.b', 'a.b*', 'a.$b']) t.throws(() => validateSubject(s), undefined, s);
});

test('writeServerConfig leaves a 0600 file, also over a file that was readable by others', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nats-conf-'));
  try {
    const path = join(dir, 'nats-server.conf');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeServerConfig(path, config());
    t.is(statSync(path).mode & 0o777, 0o600);
    t.is(readFileSync(path, 'utf8'), renderServerConfig(config()));
    t.throws(() => writeServerConfig(path, config({ users: [] })));
    t.is(readFileSync(path, 'utf8'), renderServerConfig(config()), 'a rejected config leaves the old file alone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generatePassword makes distinct 256-bit base64url secrets', (t) => {
  const [a, b] = [generatePassword(), generatePassword()];
  t.not(a, b);
  t.regex(a, /^[A-Za-z0-9_-]{43}$/);
});
