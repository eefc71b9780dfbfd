// Configurations derived from a loaded one: frozen like it, so nothing downstream can change them.
import type { AppConfig } from './app-config.ts';

/** Freezes an object and everything in it (URLs and Buffers excepted: they are not plain data). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL) && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The same config with the embedded dev provider's addresses filled in. */
export function withDevProvider(config: AppConfig, issuer: string, resourceUrl: string): AppConfig {
  return deepFreeze({
    ...config,
    provider: { kind: 'oidc', issuer: new URL(issuer) },
    isDevProvider: true,
    resourceUrl: new URL(resourceUrl),
    allowInsecureHttp: true,
    // The demo API's scope, so its answer shows what the token grants.
    scopes: config.scopes.split(' ').includes('api:read')
      ? config.scopes
      : `${config.scopes} api:read`,
    // The dev provider issues refresh tokens (offline_access) only with prompt=consent.
    authParams: { prompt: 'consent', ...config.authParams },
  });
}

/** The same config with a session secret supplied (development only: see server.ts). */
export function withSessionSecret(config: AppConfig, secret: string): AppConfig {
  return deepFreeze({ ...config, session: { ...config.session, secrets: [secret] } });
}
