// Tokens and session data encrypted at rest with AES-256-GCM (node:crypto), each text bound to what
// it belongs to (GCM associated data), so a copy moved elsewhere no longer opens. Several keys
// rotate: the first encrypts, every key decrypts; text no key opens reads as absent (signed out).
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { parseStoredTokens, type TokenBinding, type TokenCodec } from './token-codec.ts';

/** `v2.<key id>.<iv>.<ciphertext>.<tag>`, bound to a context: what this version writes. */
const boundFormat = 'v2';
/** Token records written before they were bound (no associated data): read, never written. */
const unboundFormat = 'v1';

/** Opened text, and whether it should be written again: an old format, or a retired key. */
export interface Opened {
  plaintext: string;
  isStale: boolean;
}

/** Encrypts text bound to a context (a session id, a token record's owner) and opens it again. */
export interface Sealer {
  /** Encrypts with the current key; the text opens only for the same context. */
  seal(plaintext: string, context: string): string;
  /** The plaintext, or undefined when no key opens the text for this context. */
  open(text: string, context: string): Opened | undefined;
}

/** A sealer that encrypts with `keys[0]` and decrypts with whichever key the text names. */
export function createSealer(keys: readonly Buffer[]): Sealer {
  const keyring = createKeyring(keys);
  return {
    seal: keyring.seal,
    open: (text, context) => keyring.open(text, boundFormat, context),
  };
}

/** A token codec whose records open only for the session, subject and provider session they name. */
export function createEncryptingCodec(keys: readonly Buffer[]): TokenCodec {
  const keyring = createKeyring(keys);
  return {
    encode: (tokens, binding) => keyring.seal(JSON.stringify(tokens), tokenContext(binding)),
    decode(text, binding) {
      // A record of the previous version opens unbound, marked stale: the store writes it bound.
      const opened = text.startsWith(`${unboundFormat}.`)
        ? keyring.open(text, unboundFormat, undefined)
        : keyring.open(text, boundFormat, tokenContext(binding));
      const tokens = opened && parseStoredTokens(opened.plaintext);
      return tokens && { tokens, isStale: opened.isStale };
    },
  };
}

/** The associated data of a token record; a JSON array, so no two bindings give the same text. */
function tokenContext({ sessionId, sub, sid }: TokenBinding): string {
  return JSON.stringify(['token-record', sessionId, sub, sid ?? null]);
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

function createKeyring(keys: readonly Buffer[]) {
  const [current] = keys;
  if (!current || keys.some((key) => key.length !== 32))
    throw new Error('AES-256-GCM needs 32-byte keys');
  // KeyObjects made once: a raw key is checked and imported again on every cipher (twice the time).
  const byId = new Map<string, KeyObject>(keys.map((key) => [keyId(key), createSecretKey(key)]));
  const currentId = keyId(current);
  const currentKey = byId.get(currentId) as KeyObject;

  return {
    seal(plaintext: string, context: string): string {
      // A fresh 96-bit IV per message: GCM must never reuse an IV with the same key.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        boundFormat,
        currentId,
        iv.toString('base64url'),
        sealed.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    /** Opens text of `format`; the bound format needs its context, the unbound one has none. */
    open(text: string, format: string, context: string | undefined): Opened | undefined {
      const [tag, id, iv, sealed, authTag] = text.split('.');
      const key = id === undefined ? undefined : byId.get(id);
      if (tag !== format || !key || !iv || sealed === undefined || !authTag) return undefined;
      try {
        // A full 16-byte tag only: GCM would otherwise accept a truncated, easier-to-forge one.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: 16,
        });
        if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(authTag, 'base64url'));
        const plaintext = Buffer.concat([
          decipher.update(Buffer.from(sealed, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
        return { plaintext, isStale: tag !== boundFormat || id !== currentId };
      } catch {
        return undefined;
      }
    },
  };
}
