import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Middleware } from 'koa';
import type { Configuration } from 'oidc-provider';
import { startProviderApp } from '../support/provider-app.ts';
import { always, answerWith, fault } from '../support/provider-faults.ts';
import { recordedSteps } from '../support/read-session.ts';

/**
 * A provider that keeps the ID token thin, as node-oidc-provider does by default
 * (`conformIdTokenClaims`) and Authelia: when the access token can call UserInfo, the ID token
 * carries only `sub`, and the profile is at the UserInfo endpoint (OIDC Core §5.4).
 */
function thinIdToken(configuration: Configuration): Configuration {
  return {
    ...configuration,
    conformIdTokenClaims: true,
    features: {
      ...configuration.features,
      userinfo: { enabled: true },
      // Access tokens for UserInfo, not for the demo API: the ID token then stays thin.
      resourceIndicators: { enabled: false },
    },
  };
}

/** Like thinIdToken, but the ID token carries every claim its scopes grant. */
function fullIdToken(configuration: Configuration): Configuration {
  return { ...thinIdToken(configuration), conformIdTokenClaims: false };
}

/** Changes the provider's UserInfo answers (its path is /me). */
function rewriteUserInfo(change: (claims: Record<string, unknown>) => object): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.path === '/me' && ctx.status === 200 && typeof ctx.body === 'object' && ctx.body) {
      ctx.body = change(ctx.body as Record<string, unknown>);
    }
  };
}

function countUserInfoCalls(provider: { use(middleware: Middleware): unknown }): () => number {
  let calls = 0;
  provider.use(async (ctx, next) => {
    if (ctx.path === '/me') calls++;
    await next();
  });
  return () => calls;
}

function warningsIn(logs: string[], code: string): Array<Record<string, unknown>> {
  return logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.level === 40 && entry.code === code);
}

describe('UserInfo at sign-in (OpenID Connect Core §5.3)', () => {
  it('when the ID token carries only sub then the profile comes from UserInfo, once', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    const userInfoCalls = countUserInfoCalls(app.provider);

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.match(page, /Hello, Alice/);
    assert.match(page, /alice@example\.test/);
    assert.equal(userInfoCalls(), 1);
  });

  it('shows the UserInfo call on /flow as its own step, after the token request', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    const jar = await app.signIn('alice');

    const page = await (await jar.fetch(`${app.baseUrl}/flow`)).text();
    const titles = [...page.matchAll(/class="step-card__title">([^<]+)</g)].map((m) => m[1]);

    assert.ok(titles.includes('UserInfo request'), `steps: ${titles.join(', ')}`);
    assert.ok(
      titles.indexOf('UserInfo request') > titles.findIndex((title) => title?.startsWith('Token')),
    );
    assert.ok(page.includes(`${app.issuer}/me`), 'the step names the UserInfo endpoint');
  });

  it('records the UserInfo call with the kind userinfo and the claims that came back', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    const jar = await app.signIn('alice');

    const steps = await recordedSteps(app, jar);
    const userinfo = steps.find((step) => step.kind === 'userinfo');

    assert.equal(userinfo?.request.url, `${app.issuer}/me`);
    assert.match(userinfo?.request.params.authorization ?? '', /\(redacted\)$/);
    assert.equal(userinfo?.response?.status, 200);
    assert.equal(userinfo?.response?.fields.sub, 'alice');
  });

  it('when the ID token already carries name and email then UserInfo is not called', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: fullIdToken });
    const userInfoCalls = countUserInfoCalls(app.provider);

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.match(page, /Hello, Alice/);
    assert.equal(userInfoCalls(), 0);
  });

  it("keeps the ID token's name over UserInfo's and takes from UserInfo only what the ID token lacks", async (t) => {
    // Scopes without `email`: the ID token has the name, and only UserInfo (rewritten) an email.
    const app = await startProviderApp(t, {
      adjustConfiguration: fullIdToken,
      env: { OIDC_SCOPES: 'openid profile offline_access' },
    });
    app.provider.use(
      rewriteUserInfo((claims) => ({
        ...claims,
        name: 'Someone Else',
        email: 'from-userinfo@example.test',
      })),
    );

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.match(page, /Hello, Alice/);
    assert.doesNotMatch(page, /Someone Else/);
    assert.match(page, /from-userinfo@example\.test/);
  });

  it('takes only the profile claims from UserInfo, never a sid that back-channel logout would match', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    app.provider.use(rewriteUserInfo((claims) => ({ ...claims, sid: 'planted-sid' })));

    const jar = await app.signIn('alice');
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    const idTokenSid = decodeJwt(record?.tokens.idToken ?? '').sid;
    assert.match(page, /Hello, Alice/);
    assert.equal(typeof idTokenSid, 'string', 'the ID token names the provider session');
    assert.equal(record?.sid, idTokenSid, "the record keeps the ID token's sid");
    assert.notEqual(record?.sid, 'planted-sid');
  });

  it('when UserInfo names another subject then its claims are ignored, the sign-in succeeds and a warning is logged', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    app.provider.use(
      rewriteUserInfo(() => ({
        sub: 'mallory',
        name: 'Mallory',
        email: 'mallory@example.test',
      })),
    );

    const jar = await app.signIn('alice');
    const page = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.match(page, /Hello, alice/, 'greeted by the subject: no name was accepted');
    assert.doesNotMatch(page, /Mallory|mallory@/);
    const [warning, ...more] = warningsIn(app.logs, 'userinfo_subject_mismatch');
    assert.ok(warning, 'a warning says why the profile is incomplete');
    assert.equal(more.length, 0);
    assert.equal(warning.sub, 'alice');
  });

  it('when UserInfo answers 500 then the sign-in succeeds with what the ID token had and a warning is logged', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: thinIdToken });
    app.provider.use(fault('/me', always, answerWith(500, { error: 'server_error' })));

    const jar = await app.signIn('alice');
    const home = await jar.fetch(`${app.baseUrl}/`);
    const page = await home.text();

    assert.equal(home.status, 200);
    assert.match(page, /Hello, alice/);
    assert.match(page, /Not shared/);
    const [warning] = warningsIn(app.logs, 'userinfo_failed');
    assert.ok(warning, 'a warning says why the profile is incomplete');
    assert.match(String(warning.msg), /HTTP 500/);
  });
});
