import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Middleware } from 'koa';
import * as client from 'openid-client';
import { mapProviderError } from '../../src/oidc/map-error.ts';
import { startExternalProvider } from '../support/external-provider.ts';
import { refusedOrigin } from '../support/local-server.ts';
import { postToProvider } from '../support/post-to-provider.ts';
import { always, answerWith, fault, hang } from '../support/provider-faults.ts';
import { startTestApp } from '../support/test-app.ts';
import { thrownBy } from '../support/thrown-by.ts';

const providerText = 'details from the provider';

/** The issuer of the real provider (no app), its discovery document answered by `answer` instead. */
async function issuerWithDiscovery(t: TestContext, answer: Middleware): Promise<URL> {
  const { services } = await startExternalProvider(t, 'http://127.0.0.1:1');
  services.provider.use(fault('/.well-known/openid-configuration', always, answer));
  return new URL(services.issuer);
}

const insecure = { execute: [client.allowInsecureRequests] };

describe('mapProviderError with errors openid-client really throws', () => {
  it('maps a discovery that times out to 504', async (t) => {
    const issuer = await issuerWithDiscovery(t, hang);

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, { ...insecure, timeout: 0.05 }),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [504, 'provider_timeout']);
  });

  it('maps a refused connection to 503', async () => {
    const issuer = new URL(await refusedOrigin());

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, insecure),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [503, 'provider_unreachable']);
  });

  it('maps a discovery answered with a 500 to 502', async (t) => {
    const issuer = await issuerWithDiscovery(t, answerWith(500, providerText));

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, insecure),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [502, 'provider_bad_response']);
    assert.equal(mapped.publicMessage.includes(providerText), false, mapped.publicMessage);
  });

  it('maps invalid_grant from a refresh with a revoked token to TokenRefreshError 401', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const refreshToken = (await app.backend.tokens.get(app.sessionIdOf(jar)))?.tokens.refreshToken;
    assert.ok(refreshToken, 'the sign-in stored a refresh token');
    const revoked = await postToProvider(app, '/token/revocation', { token: refreshToken });
    assert.equal(revoked.status, 200);
    const { id } = app.config.client;
    const secret = app.clientSecret;
    const configuration = await client.discovery(
      new URL(app.issuer),
      id,
      undefined,
      client.ClientSecretBasic(secret),
      insecure,
    );

    const error = await thrownBy(() => client.refreshTokenGrant(configuration, refreshToken));
    const mapped = mapProviderError(error, 'refresh');

    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
    assert.deepEqual(
      [mapped.status, mapped.code, mapped.constructor.name],
      [401, 'refresh_failed', 'TokenRefreshError'],
    );
    const description = error.error_description ?? assert.fail('the provider gave a description');
    assert.equal(mapped.publicMessage.includes(description), false, mapped.publicMessage);
  });
});
