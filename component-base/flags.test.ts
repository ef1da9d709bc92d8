import test from 'ava';
import { parseTypedFlags } from './flags.js';

const spec = { kubeconfig: 'string', 'leader-elect': 'bool', 'secure-port': 'int', 'lease-duration': 'duration', controllers: 'list' } as const;

test('typed flags read as pflag reads kube flags', (t) => {
  t.deepEqual(parseTypedFlags(['--kubeconfig', '/k', '--leader-elect', '--secure-port=0', '--lease-duration=1m30s', '--controllers=*,-foo', '--controllers', 'bar'], spec), {
    kubeconfig: '/k', 'leader-elect': true, 'secure-port': 0, 'lease-duration': 90_000, controllers: ['*', '-foo', 'bar'],
  });
  t.deepEqual(parseTypedFlags(['--leader-elect=false'], spec), { 'leader-elect': false });
  t.deepEqual(parseTypedFlags(['--resolv-conf='], { 'resolv-conf': 'string-or-empty' }), { 'resolv-conf': '' });
});

test('bad flags and values are one-line errors', (t) => {
  t.throws(() => parseTypedFlags(['--nope'], spec), { message: 'unknown flag: --nope' });
  t.throws(() => parseTypedFlags(['--leader-elect=yes'], spec), { message: /--leader-elect: must be true or false/ });
  t.throws(() => parseTypedFlags(['--secure-port=10.5'], spec), { message: /--secure-port: must be an integer/ });
  t.throws(() => parseTypedFlags(['--lease-duration=soon'], spec), { message: /--lease-duration: must be a duration/ });
  t.throws(() => parseTypedFlags(['--kubeconfig'], spec), { message: 'flag needs an argument: --kubeconfig' });
  t.throws(() => parseTypedFlags(['--kubeconfig='], spec), { message: 'flag needs an argument: --kubeconfig' });
});
