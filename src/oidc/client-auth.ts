// How this app authenticates at the token endpoint, chosen in one place. Always explicit:
// openid-client's default (client_secret_post) differs from most providers' registration default.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as client from 'openid-client';
import type { ClientCredentials } from '../config/app-config.ts';

/** The ClientAuth for the configured credentials (reads the private key file for private_key_jwt). */
export async function createClientAuth(credentials: ClientCredentials): Promise<client.ClientAuth> {
  switch (credentials.method) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(credentials.secret);
    case 'client_secret_post':
      return client.ClientSecretPost(credentials.secret);
    case 'none':
      return client.None();
    case 'private_key_jwt': {
      const key = createPrivateKey(await readFile(credentials.privateKeyFile, 'utf8'));
      const cryptoKey = key.toCryptoKey(signingAlgorithm(key), false, ['sign']);
      return client.PrivateKeyJwt(
        credentials.keyId ? { key: cryptoKey, kid: credentials.keyId } : cryptoKey,
      );
    }
  }
}

const ecAlgorithms: Record<string, { name: string; namedCurve: string }> = {
  prime256v1: { name: 'ECDSA', namedCurve: 'P-256' },
  secp384r1: { name: 'ECDSA', namedCurve: 'P-384' },
  secp521r1: { name: 'ECDSA', namedCurve: 'P-521' },
};

/** The WebCrypto algorithm a private key signs client assertions with (RS256, ES256/384/512, EdDSA). */
function signingAlgorithm(key: KeyObject): Parameters<KeyObject['toCryptoKey']>[0] {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (type === 'ed25519') return { name: 'Ed25519' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ec = type === 'ec' && curve ? ecAlgorithms[curve] : undefined;
  if (!ec)
    throw new Error(
      `unsupported key type ${type}${curve ? ` (${curve})` : ''}: use RSA, EC P-256/384/521 or Ed25519`,
    );
  return ec;
}
