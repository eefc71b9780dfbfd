// The configuration the app runs with: the loaded one, completed by what start-up supplies (the
// development services' addresses, a session secret). Frozen, so nothing downstream can change it.
import type { AppConfig, LoadedConfig } from './app-config.ts';

/** What start-up supplies once it knows: the running dev services, a development session secret. */
export interface SuppliedSettings {
  devServices?: { issuer: string; resourceUrl: string };
  sessionSecret?: string;
}

/**
 * Completes a loaded configuration. Throws a plain Error (a bug in start-up, not a bad variable)
 * when the dev provider is configured but its services were not supplied, or no session secret is.
 */
export function resolveConfig(loaded: LoadedConfig, supplied: SuppliedSettings): AppConfig {
  const secrets =
    loaded.session.secrets.length > 0 ? loaded.session.secrets : [requireSecret(supplied)];
  const session = { ...loaded.session, secrets };
  if (!('dev' in loaded)) return deepFreeze({ ...loaded, session, isDevProvider: false });

  const { dev: _ports, provider: _devProvider, ...shared } = loaded;
  const { devServices } = supplied;
  if (!devServices)
    throw new Error('resolveConfig: the dev provider is configured: pass devServices');
  return deepFreeze({
    ...shared,
    session,
    provider: { kind: 'oidc', issuer: new URL(devServices.issuer) },
    isDevProvider: true,
    resourceUrl: new URL(devServices.resourceUrl),
    allowInsecureHttp: true,
    // The demo API's scope, so its answer shows what the token grants.
    scopes: shared.scopes.split(' ').includes('api:read')
      ? shared.scopes
      : `${shared.scopes} api:read`,
    // The dev provider issues refresh tokens (offline_access) only with prompt=consent.
    authParams: { prompt: 'consent', ...shared.authParams },
  });
}

function requireSecret({ sessionSecret }: SuppliedSettings): string {
  if (!sessionSecret) {
    throw new Error('resolveConfig: SESSION_SECRET is unset: pass a sessionSecret');
  }
  return sessionSecret;
}

/** Freezes an object and everything in it (URLs and Buffers excepted: they are not plain data). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL) && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
