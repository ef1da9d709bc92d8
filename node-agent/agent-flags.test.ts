import test from 'ava';
import { parseClusterDNS, parseNodeLabels, parseTaints } from './agent-flags.js';

test('--node-labels and --register-with-taints read as the kubelet reads them', (t) => {
  t.deepEqual(parseNodeLabels(['node.kubernetes.io/pool=db', 'tier=']), { 'node.kubernetes.io/pool': 'db', tier: '' });
  t.deepEqual(parseTaints(['dedicated=db:NoSchedule', 'spot:PreferNoSchedule']), [
    { key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'spot', effect: 'PreferNoSchedule' },
  ]);
  t.throws(() => parseNodeLabels(['novalue']), { message: '--node-labels: "novalue" is not key=value' });
  t.throws(() => parseTaints(['dedicated=db']), { message: '--register-with-taints: "dedicated=db" is not key=value:Effect' });
  t.throws(() => parseTaints(['a=b:Sometimes']), { message: /the effect must be one of NoSchedule, PreferNoSchedule, NoExecute/ });
});

test('--cluster-dns takes IP addresses only', (t) => {
  t.deepEqual(parseClusterDNS(['10.96.0.10', 'fd00:0::a']), ['10.96.0.10', 'fd00::a']);
  t.throws(() => parseClusterDNS(['kube-dns']), { message: '--cluster-dns: "kube-dns" is not an IP address' });
});
