import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's busybox-static puts its binary. */
const BUSYBOX = '/bin/busybox';

export interface ImageSpec {
  /** The image's name, as pods name it (registry.local/busybox:1.35, say). */
  name: string;
  /** The process the image runs when the pod gives no command. */
  entrypoint?: string[];
  cmd?: string[];
}

/**
 * Writes an OCI image archive (an OCI layout, tarred) holding one layer:
 * the static busybox binary with a link per applet in /bin, so containers
 * have a shell and the usual tools without any registry. The archive's
 * index names the image (`io.containerd.image.name`), so a runtime imports
 * it under that name. Answers the archive's path.
 */
export function buildBusyboxImage(outFile: string, spec: ImageSpec): string {
  const work = mkdtempSync(join(tmpdir(), 'skiff-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    for (const dir of ['tmp', 'etc', 'proc', 'sys', 'dev', 'root', 'var']) mkdirSync(join(rootfs, dir));
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
    for (const applet of applets) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const layerTar = join(work, 'layer.tar');
    // Fixed owner and times, sorted names: the same busybox always gives the same layer digest.
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', rootfs, '-cf', layerTar, '.']);
    const layer = blob(blobs, readFileSync(layerTar));
    const config = blob(blobs, Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux',
      // Cmd is appended to the Entrypoint: an image with an entrypoint gets none unless asked, one without runs a shell.
      config: { Env: ['PATH=/bin'], ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}), ...(spec.cmd || !spec.entrypoint ? { Cmd: spec.cmd ?? ['sh'] } : {}), WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layer.digest}`] },
      history: [{ created_by: 'skiff: busybox-static' }],
    })));
    const manifest = blob(blobs, Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${config.digest}`, size: config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layer.digest}`, size: layer.size }],
    })));
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(join(layout, 'index.json'), JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifest.digest}`, size: manifest.size,
        annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': spec.name.split(':').pop() },
      }],
    }));
    execFileSync('tar', ['-C', layout, '-cf', outFile, '.']);
    return outFile;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function blob(dir: string, data: Buffer): { digest: string; size: number } {
  const digest = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(dir, digest), data);
  return { digest, size: data.length };
}
