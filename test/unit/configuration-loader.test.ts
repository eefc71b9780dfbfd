import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as client from 'openid-client';
import type { AppConfig } from '../../src/config/app-config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { ProviderError } from '../../src/errors.ts';
import { createConfigurationLoader } from '../../src/oidc/configuration-loader.ts';

const issuer = 'https://id.example.com';

/** An https provider, configured as an operator would (no OIDC_ALLOW_INSECURE_HTTP). */
const config = resolveConfig(
  loadConfig({
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'my-app',
    OIDC_CLIENT_SECRET: 'client-secret-value',
    RESOURCE_URL: 'https://api.example.com/me',
  }),
  { sessionSecret: 'a-session-secret-of-at-least-32-characters' },
);

/**
 * The provider's side, served through openid-client's customFetch (an https provider cannot run
 * here): answers discovery with `metadata()` and records every URL the loader asks for.
 */
function fakeProvider(metadata: () => Record<string, string>) {
  const requested: string[] = [];
  const fetchImpl = async (url: string) => {
    requested.push(String(url));
    return Response.json({ issuer, ...metadata() });
  };
  return { requested, fetchImpl };
}

const secureMetadata = {
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
};

describe('the configuration loader', () => {
  it('refuses https-issuer metadata naming an http token endpoint before any request goes there, then discovers again', async () => {
    let metadata: Record<string, string> = {
      ...secureMetadata,
      token_endpoint: 'http://id.example.com/token',
    };
    const provider = fakeProvider(() => metadata);
    const loader = createConfigurationLoader(config, client.None(), provider.fetchImpl);

    const refused = await loader.get().then(
      () => undefined,
      (error: unknown) => error,
    );
    const notLoaded = loader.loaded();
    metadata = secureMetadata;
    const fixed = await loader.get();

    assert.ok(refused instanceof ProviderError);
    assert.equal(refused.code, 'provider_insecure_endpoint');
    assert.match(String(refused.cause), /token_endpoint http:\/\/id\.example\.com\/token/);
    assert.equal(notLoaded, undefined);
    assert.equal(fixed.serverMetadata().token_endpoint, `${issuer}/token`);
    assert.deepEqual(provider.requested, [
      `${issuer}/.well-known/openid-configuration`,
      `${issuer}/.well-known/openid-configuration`,
    ]);
  });

  it('refuses plain OAuth 2.0 endpoints that are http on a host that is not loopback', async () => {
    const oauth2: AppConfig = {
      ...config,
      allowInsecureHttp: true,
      provider: {
        kind: 'oauth2',
        authorizationEndpoint: new URL('https://id.example.com/authorize'),
        tokenEndpoint: new URL('http://192.0.2.1/token'),
        userinfoEndpoint: new URL('https://id.example.com/user'),
      },
    };
    const provider = fakeProvider(() => secureMetadata);
    const loader = createConfigurationLoader(oauth2, client.None(), provider.fetchImpl);

    await assert.rejects(loader.get(), { code: 'provider_insecure_endpoint' });

    assert.deepEqual(provider.requested, []);
  });
});
