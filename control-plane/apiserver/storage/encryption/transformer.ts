import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';

/**
 * How one resource's values change on their way into etcd and back, as
 * kube-apiserver's value transformers do. `key` is the etcd key the value
 * sits under; authenticated ciphers bind it to the value, so a value copied
 * under another key does not decrypt.
 */
export interface Transformer {
  toStorage(plain: Buffer, key: string): Buffer;
  fromStorage(stored: Buffer, key: string): Buffer;
  /**
   * True when a stored value was not written by the current (first)
   * provider and key. An update that would otherwise change nothing should
   * still write such a value, so rewriting every object re-encrypts it, as
   * kube's guaranteed update does for key rotation.
   */
  isStale(stored: Buffer): boolean;
}

/** A provider as the configuration lists it, with its keys decoded. */
export type Provider =
  | { type: 'identity' }
  | { type: 'aesgcm' | 'aescbc'; keys: Array<{ name: string; secret: Buffer }> };

/** Every encrypted value starts with this; a plain JSON value never does. */
const ENCRYPTED = Buffer.from('k8s:enc:');
const GCM_NONCE = 12;
const GCM_TAG = 16;
const CBC_BLOCK = 16;

const isEncrypted = (value: Buffer) => value.length >= ENCRYPTED.length && value.compare(ENCRYPTED, 0, ENCRYPTED.length, 0, ENCRYPTED.length) === 0;
const startsWith = (value: Buffer, prefix: Buffer) => value.length >= prefix.length && value.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

/** The provider and key named in an encrypted value's prefix, for error messages. */
function describePrefix(value: Buffer): string {
  const head = value.toString('latin1', 0, Math.min(value.length, 300));
  const m = /^k8s:enc:([a-z0-9]+):(v[0-9]+):([^:]*):/.exec(head);
  return m ? `${m[1]} key ${JSON.stringify(m[3])}` : 'an unrecognised encryption prefix';
}

/** One named key of an AES provider: it writes under its own prefix and reads back only values carrying it. */
interface KeyCipher {
  readonly prefix: Buffer;
  seal(plain: Buffer, key: string): Buffer;
  open(sealed: Buffer, key: string): Buffer;
}

/** AES-GCM: a random 12-byte nonce, then the ciphertext, then the 16-byte tag; the etcd key is the additional data. */
function gcmKey(name: string, secret: Buffer): KeyCipher {
  const algorithm = `aes-${secret.length * 8}-gcm` as CipherGCMTypes;
  const label = `aesgcm key ${JSON.stringify(name)}`;
  const prefix = Buffer.from(`k8s:enc:aesgcm:v1:${name}:`);
  return {
    prefix,
    seal(plain, key) {
      const nonce = randomBytes(GCM_NONCE);
      const cipher = createCipheriv(algorithm, secret, nonce, { authTagLength: GCM_TAG });
      cipher.setAAD(Buffer.from(key));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([prefix, nonce, body, cipher.getAuthTag()]);
    },
    open(sealed, key) {
      if (sealed.length < GCM_NONCE + GCM_TAG) throw new Error(`cannot decrypt ${key} with ${label}: the value is too short`);
      const decipher = createDecipheriv(algorithm, secret, sealed.subarray(0, GCM_NONCE), { authTagLength: GCM_TAG });
      decipher.setAAD(Buffer.from(key));
      decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(GCM_NONCE, sealed.length - GCM_TAG)), decipher.final()]);
      } catch {
        throw new Error(`cannot decrypt ${key} with ${label}: authentication failed (wrong secret, tampered value, or a value moved from another key)`);
      }
    },
  };
}

/**
 * AES-CBC with PKCS#7 padding: a random 16-byte IV, then the ciphertext. It
 * authenticates nothing, so neither tampering nor a value moved to another
 * key is reliably detected; kube keeps it for compatibility and so does this.
 */
function cbcKey(name: string, secret: Buffer): KeyCipher {
  const algorithm = `aes-${secret.length * 8}-cbc`;
  const label = `aescbc key ${JSON.stringify(name)}`;
  const prefix = Buffer.from(`k8s:enc:aescbc:v1:${name}:`);
  return {
    prefix,
    seal(plain) {
      const iv = randomBytes(CBC_BLOCK);
      const cipher = createCipheriv(algorithm, secret, iv);
      return Buffer.concat([prefix, iv, cipher.update(plain), cipher.final()]);
    },
    open(sealed, key) {
      if (sealed.length < 2 * CBC_BLOCK || sealed.length % CBC_BLOCK !== 0) {
        throw new Error(`cannot decrypt ${key} with ${label}: the value is not a whole number of blocks`);
      }
      const decipher = createDecipheriv(algorithm, secret, sealed.subarray(0, CBC_BLOCK));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(CBC_BLOCK)), decipher.final()]);
      } catch {
        throw new Error(`cannot decrypt ${key} with ${label}: bad padding (wrong secret or tampered value)`);
      }
    },
  };
}

/**
 * The transformer for an ordered provider list: writes go through the first
 * provider (its first key), reads pick the key named in the value's prefix
 * from any provider listed, and values with no prefix are read as they are
 * only when identity is listed.
 */
export function providerTransformer(providers: Provider[]): Transformer {
  if (providers.length === 0) throw new Error('a transformer needs at least one provider');
  const ciphers: KeyCipher[] = [];
  let identity = false;
  for (const p of providers) {
    if (p.type === 'identity') identity = true;
    else for (const k of p.keys) ciphers.push(p.type === 'aesgcm' ? gcmKey(k.name, k.secret) : cbcKey(k.name, k.secret));
  }
  const first = providers[0];
  const writer = first.type === 'identity' ? undefined : ciphers[0];

  return {
    toStorage: (plain, key) => (writer ? writer.seal(plain, key) : plain),
    fromStorage(stored, key) {
      if (!isEncrypted(stored)) {
        if (identity) return stored;
        throw new Error(`cannot read ${key}: the stored value is not encrypted and identity is not among this resource's encryption providers`);
      }
      for (const c of ciphers) {
        if (startsWith(stored, c.prefix)) return c.open(stored.subarray(c.prefix.length), key);
      }
      throw new Error(`cannot decrypt ${key}: it was written with ${describePrefix(stored)}, which this resource's encryption providers do not list`);
    },
    isStale: (stored) => (writer ? !startsWith(stored, writer.prefix) : isEncrypted(stored)),
  };
}

/** What resources not named in the encryption configuration use: values stored as they are. */
export const identityTransformer: Transformer = providerTransformer([{ type: 'identity' }]);
