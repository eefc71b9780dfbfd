// The client the app is registered as at the provider: its id, and how it proves it at the token
// endpoint (a secret, a private key, or nothing for a public client).
import type { ClientCredentials, ClientSettings } from './app-config.ts';
import { checkAll, fail, read } from './read-env.ts';

/** The client the embedded dev provider registers; never used with a real provider. */
export const devClient = { id: 'oauth-express-reference', secret: 'dev-only-client-secret' };

/** OIDC_CLIENT_*: the dev client's id and secret stand in for unset ones with the dev provider. */
export function readClient(env: NodeJS.ProcessEnv, isDevProvider: boolean): ClientSettings {
  const [id, credentials] = checkAll(
    () =>
      read(env, 'OIDC_CLIENT_ID') ??
      (isDevProvider ? devClient.id : fail('OIDC_CLIENT_ID', 'is required with a provider')),
    () => readCredentials(env, isDevProvider),
  );
  return { id, credentials };
}

function readCredentials(env: NodeJS.ProcessEnv, isDevProvider: boolean): ClientCredentials {
  const method = read(env, 'OIDC_CLIENT_AUTH_METHOD');
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      const secret =
        read(env, 'OIDC_CLIENT_SECRET') ??
        (isDevProvider
          ? devClient.secret
          : fail('OIDC_CLIENT_SECRET', `is required with ${method}`));
      return { method, secret };
    }
    case 'private_key_jwt': {
      const privateKeyFile =
        read(env, 'OIDC_CLIENT_PRIVATE_KEY_FILE') ??
        fail('OIDC_CLIENT_PRIVATE_KEY_FILE', 'is required with private_key_jwt');
      const keyId = read(env, 'OIDC_CLIENT_KEY_ID');
      return { method, privateKeyFile, ...(keyId !== undefined && { keyId }) };
    }
    case 'none':
      return { method };
  }
}
