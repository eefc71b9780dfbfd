import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startProviderApp } from '../support/provider-app.ts';

// The embedded provider keeps oidc-provider's default rule: offline_access, and so a refresh
// token, only when the authorization request carries prompt=consent (OIDC Core §11). Configured
// as an external provider, the app adds nothing to what OIDC_SCOPES and OIDC_AUTH_PARAMS say.

function warningLines(logs: string[]): Array<Record<string, unknown>> {
  return logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.level === 40 && entry.code === 'refresh_token_not_issued');
}

/** The refresh-token row of the home page's session card. */
function refreshTokenRow(page: string): string {
  return /<dt>Refresh token<\/dt>\s*<dd>([\s\S]*?)<\/dd>/.exec(page)?.[1] ?? '';
}

describe('offline_access requested, no refresh token issued', () => {
  it('logs one warning naming the cause and the fix, however many sign-ins, and the home page says "not issued"', async (t) => {
    const app = await startProviderApp(t);

    const first = await app.signIn('alice');
    await app.signIn('bob');
    const page = await (await first.fetch(`${app.baseUrl}/`)).text();

    const warnings = warningLines(app.logs);
    assert.equal(warnings.length, 1, 'once per process');
    assert.match(String(warnings[0]?.msg), /prompt=consent/);
    assert.match(String(warnings[0]?.msg), /OIDC_AUTH_PARAMS=prompt=consent/);
    assert.match(String(warnings[0]?.msg), /access_type=offline&prompt=consent/);
    assert.match(refreshTokenRow(page), /badge--neutral">not issued</);
    assert.match(page, /The provider issued no refresh token/);
  });

  it('with OIDC_AUTH_PARAMS=prompt=consent a refresh token comes, nothing is logged and the row says "present"', async (t) => {
    const app = await startProviderApp(t, { env: { OIDC_AUTH_PARAMS: 'prompt=consent' } });

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(warningLines(app.logs).length, 0);
    assert.match(refreshTokenRow(page), /badge--success">present</);
  });

  it('without offline_access in the scopes nothing is logged: no refresh token was asked for', async (t) => {
    const app = await startProviderApp(t, { env: { OIDC_SCOPES: 'openid profile email' } });

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(warningLines(app.logs).length, 0);
    assert.match(refreshTokenRow(page), /not issued/);
  });
});
