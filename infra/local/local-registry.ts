import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBusyboxImage } from '../../node-agent/images/busybox-image.js';

/** The registry's port on the master's address. */
export const REGISTRY_PORT = 5000;

/**
 * The local registry's configuration (Debian's docker-registry): plain HTTP
 * on the master's address on the local VPC, where the workers reach it from
 * their namespaces (the host's loopback is out of their reach), images kept
 * under `dir`. Answers the configuration file to serve.
 */
export function writeRegistryConfig(dir: string, address: string, opts: { htpasswd?: string; port?: number } = {}): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}:${opts.port ?? REGISTRY_PORT}`,
    // With an htpasswd file, pulls and pushes need its credentials (basic auth; imagePullSecrets carry them to the runtime).
    ...(opts.htpasswd ? ['auth:', '  htpasswd:', '    realm: skiff', `    path: ${opts.htpasswd}`] : []),
    '',
  ].join('\n'));
  return config;
}

/**
 * Builds the busybox image and pushes it to the registry with skopeo, as
 * `<registry>/busybox:<tag>` for every tag: the image pods of a fresh
 * cluster can pull, and the example of pushing one's own.
 */
export function pushBusyboxImage(registry: string, workDir: string, tags: string[] = ['1', 'latest'], credentials?: string): string {
  const name = `${registry}/busybox`;
  const archive = buildBusyboxImage(join(workDir, 'busybox-push.tar'), { name: `${name}:${tags[0]}` });
  try {
    for (const tag of tags) {
      const creds = credentials ? [`--dest-creds=${credentials}`] : [];
      execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...creds, `oci-archive:${archive}`, `docker://${name}:${tag}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
  } finally {
    rmSync(archive, { force: true });
  }
  return `${name}:${tags[0]}`;
}
