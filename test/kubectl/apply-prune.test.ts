import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { isNotFound } from '../../client/api-error.js';
import { CONFIG_MAPS, INGRESSES, NAMESPACES, REPLICATION_CONTROLLERS, SERVICES } from '../../client/resources.js';
import type { ResourceRef } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: RestClient;
let dir: string;
test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  dir = mkdtempSync(join(tmpdir(), 'skiff-prune-'));
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const labels = { app: 'x' };
const manifests = (ns: string, name: string) => [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { greeting: 'hello' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
  {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: ns, labels },
    spec: { replicas: 0, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns, labels },
    spec: { rules: [{ host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] },
  },
];
const refs: Array<[ResourceRef, string]> = [[CONFIG_MAPS, 'configmap'], [SERVICES, 'service'], [REPLICATION_CONTROLLERS, 'replicationcontroller'], [INGRESSES, 'ingress.networking.k8s.io']];

/** A directory of manifests (one file per object set), as `kubectl apply -f dir/` reads it. */
function writeDir(ns: string, names: string[]): string {
  const target = mkdtempSync(join(dir, `${ns}-`));
  for (const name of names) writeFileSync(join(target, `${name}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests(ns, name) }));
  return target;
}

const exists = (ref: ResourceRef, ns: string, name: string) =>
  client.get(ref, name, { namespace: ns }).then((o) => !o.metadata.deletionTimestamp, (err) => {
    if (isNotFound(err)) return false;
    throw err;
  });

/**
 * Applies `kept` and `removed`, then only `kept` with --prune: the objects of
 * `removed` go, those of `kept` stay, and so does a labelled object that
 * apply never made (it has no last-applied configuration).
 */
async function prunesRemoved(t: ExecutionContext, ns: string, pruneArgs: string[]): Promise<void> {
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await kubectlOk(cluster, ['create', 'configmap', 'made-by-hand', '-n', ns, '--from-literal=a=b']);
  await kubectlOk(cluster, ['label', 'configmap', 'made-by-hand', '-n', ns, 'app=x']);
  await kubectlOk(cluster, ['apply', '-n', ns, '-f', writeDir(ns, ['kept', 'removed'])]);
  for (const [ref] of refs) t.true(await exists(ref, ns, 'removed'), `${ref.resource}/removed applied`);

  const out = await kubectlOk(cluster, ['apply', '-n', ns, '--prune', '-l', 'app=x', ...pruneArgs, '-f', writeDir(ns, ['kept'])]);
  for (const [, printed] of refs) t.regex(out, new RegExp(`^${printed.replace(/\./g, '\\.')}/removed pruned$`, 'm'));
  t.notRegex(out, /kept pruned|made-by-hand pruned/);
  for (const [ref] of refs) {
    t.false(await exists(ref, ns, 'removed'), `${ref.resource}/removed pruned`);
    t.true(await exists(ref, ns, 'kept'), `${ref.resource}/kept kept`);
  }
  t.true(await exists(CONFIG_MAPS, ns, 'made-by-hand'));
}

test('kubectl apply --prune -l app=x with an allowlist prunes the removed ConfigMap, Service, ReplicationController and Ingress', async (t) => {
  await prunesRemoved(t, 'prune-allowlist', ['--prune-allowlist=core/v1/ConfigMap', '--prune-allowlist=core/v1/Service',
    '--prune-allowlist=core/v1/ReplicationController', '--prune-allowlist=networking.k8s.io/v1/Ingress']);
});

// Without --prune-allowlist kubectl prunes every kind of its default list, and refuses to prune at all unless the
// server serves each of them (ConfigMap to StatefulSet).
test('kubectl apply --prune -l app=x with kubectl\'s default list prunes the removed objects and keeps the rest', async (t) => {
  await prunesRemoved(t, 'prune-default', []);
});
