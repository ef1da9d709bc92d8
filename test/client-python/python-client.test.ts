import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';

/** Debian's python3-kubernetes (scripts/bootstrap.mjs installs it) runs under Debian's python. */
const PYTHON = '/usr/bin/python3';

/**
 * What a user of the official Python client does first: create, read, patch
 * (strategic merge, the client's default for a dict body), watch, delete, and
 * ask for the server's version. The script prints what it saw as JSON.
 */
const SCRIPT = `
import json, sys
from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
out = {}

v1.create_namespaced_config_map('default', client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-cm'), data={'a': '1'}))
out['read'] = v1.read_namespaced_config_map('py-cm', 'default').data
out['patched'] = v1.patch_namespaced_config_map('py-cm', 'default', {'data': {'b': '2'}}).data

pod = client.V1Pod(metadata=client.V1ObjectMeta(name='py-pod', labels={'app': 'py'}),
                   spec=client.V1PodSpec(containers=[client.V1Container(name='c', image='busybox')]))
v1.create_namespaced_pod('default', pod)
patched = v1.patch_namespaced_pod('py-pod', 'default', {'metadata': {'labels': {'patched': 'yes'}},
                                                        'spec': {'containers': [{'name': 'c', 'image': 'busybox:1'}]}})
out['podLabels'] = patched.metadata.labels
out['podImages'] = [c.image for c in patched.spec.containers]

out['events'] = [[e['type'], e['object'].metadata.name]
                 for e in watch.Watch().stream(v1.list_namespaced_config_map, 'default', timeout_seconds=2)]

v1.delete_namespaced_config_map('py-cm', 'default')
v1.delete_namespaced_pod('py-pod', 'default', grace_period_seconds=0)
try:
    v1.read_namespaced_config_map('py-cm', 'default')
    out['gone'] = False
except client.exceptions.ApiException as e:
    out['gone'] = e.status == 404

out['version'] = client.VersionApi().get_code().git_version
print(json.dumps(out))
`;

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

test('the official Python client creates, reads, patches, watches, deletes and asks the version', async (t) => {
  if (!existsSync('/usr/lib/python3/dist-packages/kubernetes')) {
    t.fail('python3-kubernetes is not installed: run node scripts/bootstrap.mjs');
    return;
  }
  const script = join(cluster.dir, 'python-client.py');
  writeFileSync(script, SCRIPT);
  const { stdout } = await promisify(execFile)(PYTHON, [script, cluster.kubeconfig], { timeout: 60_000 }).catch((err) => {
    throw new Error(`the Python client failed:\n${err.stderr ?? err}`);
  });
  const out = JSON.parse(stdout);
  t.deepEqual(out.read, { a: '1' });
  t.deepEqual(out.patched, { a: '1', b: '2' });
  t.deepEqual(out.podLabels, { app: 'py', patched: 'yes' });
  t.deepEqual(out.podImages, ['busybox:1'], 'containers merge by name, as a strategic merge patch does');
  t.true(out.events.length > 0, 'the watch yields events, not a list');
  t.deepEqual(out.events.find((e: string[]) => e[1] === 'py-cm'), ['ADDED', 'py-cm']);
  t.true(out.gone);
  t.regex(out.version, /^v1\.\d+\.\d+/);
});
