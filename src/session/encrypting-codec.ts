// Tokens encrypted at rest with AES-256-GCM (node:crypto). Several keys rotate: the first encrypts,
// every key decrypts; text no key opens reads as "no tokens", i.e. signed out, never as an error.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { parseStoredTokens, type TokenCodec } from './token-codec.ts';

const version = 'v1';

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/** A codec that encrypts with `keys[0]` and decrypts with whichever key the text names. */
export function createEncryptingCodec(keys: readonly Buffer[]): TokenCodec {
  const [current] = keys;
  if (!current || keys.some((key) => key.length !== 32))
    throw new Error('AES-256-GCM needs 32-byte keys');
  const byId = new Map(keys.map((key) => [keyId(key), key]));
  const currentId = keyId(current);

  return {
    encode(tokens) {
      // A fresh 96-bit IV per message: GCM must never reuse an IV with the same key.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const sealed = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
      return [
        version,
        currentId,
        iv.toString('base64url'),
        sealed.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    decode(text) {
      const [tag, id, iv, sealed, authTag] = text.split('.');
      const key = id === undefined ? undefined : byId.get(id);
      if (tag !== version || !key || !iv || sealed === undefined || !authTag) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(authTag, 'base64url'));
        const json = Buffer.concat([
          decipher.update(Buffer.from(sealed, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
        return parseStoredTokens(json);
      } catch {
        return undefined;
      }
    },
  };
}
