// How this app authenticates at the token endpoint, chosen in one place. Always explicit:
// openid-client's default (client_secret_post) differs from most providers' registration default.
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as client from 'openid-client';
import type { AppConfig } from '../config/load-config.ts';

/** The ClientAuth matching OIDC_CLIENT_AUTH_METHOD (reads the private key file for private_key_jwt). */
export async function createClientAuth(settings: AppConfig['client']): Promise<client.ClientAuth> {
  switch (settings.authMethod) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(settings.secret ?? '');
    case 'client_secret_post':
      return client.ClientSecretPost(settings.secret ?? '');
    case 'none':
      return client.None();
    case 'private_key_jwt': {
      const key = createPrivateKey(await readFile(settings.privateKeyFile ?? '', 'utf8'));
      const algorithm =
        key.asymmetricKeyType === 'ec'
          ? { name: 'ECDSA', namedCurve: 'P-256' }
          : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const cryptoKey = key.toCryptoKey(algorithm, false, ['sign']);
      return client.PrivateKeyJwt(
        settings.keyId ? { key: cryptoKey, kid: settings.keyId } : cryptoKey,
      );
    }
  }
}
