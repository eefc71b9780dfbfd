// DPoP (RFC 9449): a key pair per sign-in, stored as a private JWK with the tokens it binds, and the
// openid-client handle that signs a proof with it for each token request and API call.
import * as client from 'openid-client';
import type { DpopPrivateKey } from '../protocol.ts';

/** The proofs of one client: each call's DPoP option, from the key the tokens are bound to. */
export interface DpopSigner {
  /** `{ DPoP: handle }` for a key, `{}` for none (the tokens are not bound: no proof). */
  optionsFor(
    configuration: client.Configuration,
    key: DpopPrivateKey | undefined,
  ): Promise<client.DPoPOptions>;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
/** Handles kept, the most recently used: each remembers the nonces servers gave it (RFC 9449 §8, §9). */
const maxHandles = 1000;

/** A fresh P-256 key pair (ES256, which every DPoP server supports), exported to be stored. */
export async function generateDpopKey(): Promise<DpopPrivateKey> {
  const { privateKey } = await client.randomDPoPKeyPair('ES256', { extractable: true });
  const { x, y, d } = await crypto.subtle.exportKey('jwk', privateKey);
  if (!x || !y || !d) throw new Error('the generated DPoP key could not be exported');
  return { kty: 'EC', crv: 'P-256', x, y, d };
}

/**
 * Creates the signer. A handle per key is kept (in this process), so the nonce a provider or an
 * API asked for is sent on the next call instead of costing a refused request each time.
 */
export function createDpopSigner(): DpopSigner {
  const handles = new Map<
    string,
    { configuration: client.Configuration; handle: Promise<client.DPoPHandle> }
  >();
  return {
    async optionsFor(configuration, key) {
      if (!key) return {};
      const id = `${key.x}.${key.y}`;
      let entry = handles.get(id);
      handles.delete(id);
      if (entry?.configuration !== configuration) {
        const handle = createHandle(configuration, key).catch((error: unknown) => {
          handles.delete(id);
          throw error;
        });
        entry = { configuration, handle };
      }
      handles.set(id, entry);
      if (handles.size > maxHandles) handles.delete(handles.keys().next().value ?? id);
      return { DPoP: await entry.handle };
    },
  };
}

async function createHandle(
  configuration: client.Configuration,
  key: DpopPrivateKey,
): Promise<client.DPoPHandle> {
  const { d: _secret, ...publicKey } = key;
  const keyPair = {
    // Not extractable: once imported, the private key never leaves WebCrypto again.
    privateKey: await crypto.subtle.importKey('jwk', key, algorithm, false, ['sign']),
    publicKey: await crypto.subtle.importKey('jwk', publicKey, algorithm, true, ['verify']),
  };
  return client.getDPoPHandle(configuration, keyPair);
}
