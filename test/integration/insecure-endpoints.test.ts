import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { fault, rewriteMetadata } from '../support/provider-faults.ts';
import { startTestApp } from '../support/test-app.ts';

// TEST-NET-1 (RFC 5737): never routed, and the preloaded network guard refuses it anyway.
const insecureTokenEndpoint = 'http://192.0.2.1/token';

describe('provider metadata with a plain http endpoint', () => {
  it('refuses a loopback provider whose token endpoint is http on another host (502), sends nothing there, and recovers once it is fixed', async (t) => {
    const app = await startTestApp(t);
    let isInsecure = true;
    app.provider.use(
      fault(
        '/.well-known/openid-configuration',
        () => isInsecure,
        rewriteMetadata((metadata) => {
          metadata.token_endpoint = insecureTokenEndpoint;
        }),
      ),
    );
    // Started again: the app discovers at start-up, as server.ts does, and starts all the same.
    await app.restart();

    // A whole sign-in: before the fix, the code and the client's credentials went to the token endpoint.
    const refused = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());
    const page = await refused.text();
    const notReady = await fetch(`${app.baseUrl}/readyz`);
    isInsecure = false;
    const fixed = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    const callsThere = app.logs.filter(
      (line) => line.includes('"upstream') && line.includes('192.0.2.1'),
    );
    assert.deepEqual(callsThere, [], 'no request went to the http endpoint');
    assert.equal(refused.status, 502);
    assert.match(page, /endpoint that is not https/);
    assert.equal(notReady.status, 503);
    assert.equal(fixed.status, 302);
    assert.ok(
      app.logs.some(
        (line) =>
          line.includes('provider_insecure_endpoint') &&
          line.includes(`token_endpoint ${insecureTokenEndpoint}`),
      ),
      'the log names the field and its URL',
    );
  });
});
