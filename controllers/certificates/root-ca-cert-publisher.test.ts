import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';
import { rootCaBundle } from './root-ca-cert-publisher.js';

test('the bundle is --root-ca-file as written, else the kubeconfig\'s CA; a file without a certificate is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-root-ca-'));
  try {
    const ca = await loadOrCreateCA(dir);
    const other = await loadOrCreateCA(dir, 'other', 'other-ca');
    const bundle = join(dir, 'bundle.crt');
    writeFileSync(bundle, readFileSync(ca.certFile, 'utf8') + readFileSync(other.certFile, 'utf8'));
    t.is(rootCaBundle(bundle, 'ignored'), readFileSync(bundle, 'utf8'));
    t.is(rootCaBundle(undefined, 'from kubeconfig'), 'from kubeconfig');
    t.is(rootCaBundle(undefined, undefined), '', 'kube publishes an empty bundle when it trusts no CA of its own');
    const junk = join(dir, 'junk.crt');
    writeFileSync(junk, 'not a certificate\n');
    t.throws(() => rootCaBundle(junk, undefined), { message: `error parsing root-ca-file at ${junk}: data does not contain any valid RSA or ECDSA certificates` });
    writeFileSync(junk, '-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n');
    t.throws(() => rootCaBundle(junk, undefined), { message: new RegExp(`^error parsing root-ca-file at ${junk}: `) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
