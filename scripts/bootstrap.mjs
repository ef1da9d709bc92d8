#!/usr/bin/env node
// Installs what Skiff needs on a fresh Debian machine, and nothing it already has.
// Idempotent: every step checks first. It downloads nothing but npm and Debian packages
// (and moto from pip only when moto_server is missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages by the commands (or, for an absolute path, the files) they provide. */
const DEBIAN = {
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  'nats-server': 'nats-server',
  // The node agent's runtime and what its pods need (issue 9).
  containerd: 'containerd',
  runc: 'runc',
  busybox: 'busybox-static',
  nsenter: 'util-linux',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
  // The local registry of `skiff up`, and what pushes images to it.
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  // Tests run a registry that asks for credentials.
  htpasswd: 'apache2-utils',
  // The service proxy programs the nodes' Services in nftables (issue 10).
  nft: 'nftables',
  // ...and forgets UDP flows to endpoints that went away, as kube-proxy does.
  conntrack: 'conntrack',
  // The official Python client, which a test drives against the API server (issue 12).
  '/usr/lib/python3/dist-packages/kubernetes': 'python3-kubernetes',
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const say = (msg) => process.stderr.write(`bootstrap: ${msg}\n`);

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...opts });
}

function asRoot(cmd, args) {
  if (process.getuid?.() === 0) return run(cmd, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (has('sudo')) return run('sudo', ['-E', cmd, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  throw new Error(`need root to run ${cmd} ${args.join(' ')}; run as root or install sudo`);
}

function ensureNodeModules() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  // npm rewrites node_modules/.package-lock.json on every install: a lock file changed since (a pull) means a new install.
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs) return;
  say('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensureDebianPackages() {
  const present = (cmd) => (cmd.startsWith('/') ? existsSync(cmd) : has(cmd));
  const missing = [...new Set(Object.entries(DEBIAN).filter(([cmd]) => !present(cmd)).map(([, pkg]) => pkg))];
  if (!missing.length) return;
  say(`installing Debian packages: ${missing.join(' ')}`);
  try {
    asRoot('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } catch {
    asRoot('apt-get', ['update', '-qq']);
    asRoot('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
}

function ensureMoto() {
  if (has('moto_server')) return;
  say('moto_server not found: installing moto[server] with pip');
  const pip = has('pip3') ? 'pip3' : has('pip') ? 'pip' : undefined;
  if (pip) run(pip, ['install', '--quiet', 'moto[server]']);
  else run('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]']);
}

try {
  ensureNodeModules();
  ensureDebianPackages();
  ensureMoto();
} catch (err) {
  say(`failed: ${err.message}`);
  process.exit(1);
}
