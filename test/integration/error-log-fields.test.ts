// What the log says when the provider or the API refuses: their `error`, `error_description` and
// WWW-Authenticate parameters as fields (not "[object Object]"), and never a token.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { postToProvider } from '../support/post-to-provider.ts';
import { startStandInApi } from '../support/stand-in-api.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const insufficientScope = {
  'www-authenticate':
    'Bearer realm="demo", error="insufficient_scope", error_description="orders need api:write", scope="api:write"',
};

interface LogEntry {
  level: number;
  msg: string;
  err?: LoggedError;
}

interface LoggedError {
  code?: string;
  error?: string;
  error_description?: string;
  www_authenticate?: Array<Record<string, string>>;
  cause?: LoggedError;
}

function entryWith(logs: string[], message: string): LogEntry {
  const line = logs.find((text) => (JSON.parse(text) as LogEntry).msg === message);
  return JSON.parse(line ?? assert.fail(`no log line "${message}"`)) as LogEntry;
}

describe('log lines of refusals', () => {
  it('when the provider refuses a refresh then the log carries its error and error_description, and no token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const revoked = await postToProvider(app, '/token/revocation', {
      token: record?.tokens.refreshToken ?? '',
      token_type_hint: 'refresh_token',
    });
    assert.equal(revoked.status, 200);

    app.advanceClock(tenMinutes);
    await jar.fetch(`${app.baseUrl}/resource`);

    const entry = entryWith(app.logs, 'sign-in expired; signing in again');
    assert.equal(entry.err?.code, 'refresh_failed');
    assert.equal(entry.err?.cause?.error, 'invalid_grant');
    assert.equal(entry.err?.cause?.error_description, 'grant request is invalid');
    assert.doesNotMatch(app.logs.join('\n'), /\[object Object\]/);
    assertNoTokensIn(app.logs.join('\n'), record, 'the log');
  });

  it('when the API answers 403 with error="insufficient_scope" then the page says it refused and the log carries the challenge', async (t) => {
    const api = await startStandInApi(t, { status: 403, headers: insufficientScope });
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 403);
    assert.match(page, /The protected API refused the call/);
    assert.doesNotMatch(page, /not answering properly|Try again/);
    const entry = entryWith(app.logs, 'The protected API refused the call');
    assert.equal(entry.err?.code, 'api_refused');
    assert.deepEqual(entry.err?.cause?.www_authenticate, [
      {
        scheme: 'bearer',
        realm: 'demo',
        error: 'insufficient_scope',
        error_description: 'orders need api:write',
        scope: 'api:write',
      },
    ]);
    assert.doesNotMatch(app.logs.join('\n'), /\[object Object\]/);
    assertNoTokensIn(app.logs.join('\n'), record, 'the log');
  });

  it('when the API answers 401 with a challenge even after a refresh then the log carries the challenge', async (t) => {
    const api = await startStandInApi(t, { status: 401, headers: insufficientScope });
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 403);
    const entry = entryWith(app.logs, 'The protected API refused access');
    assert.equal(entry.err?.code, 'api_refused_token');
    assert.equal(entry.err?.cause?.www_authenticate?.[0]?.error, 'insufficient_scope');
    assert.doesNotMatch(app.logs.join('\n'), /\[object Object\]/);
  });
});
