// DPoP (RFC 9449): with OIDC_USE_DPOP=true the tokens are bound to a key pair the server keeps per
// session, every call proves possession of it, and the demo API refuses the token without a proof.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { TokenRecord } from '../../src/session/token-store.ts';
import { assertNoDpopKeyIn, assertNoTokensIn } from '../support/assert-no-tokens.ts';
import type { CookieJar } from '../support/cookie-jar.ts';
import { signProof } from '../support/dpop-proof.ts';
import { isActive } from '../support/post-to-provider.ts';
import { recordedSteps } from '../support/read-session.ts';
import { useStore } from '../support/store-under-test.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const dpopEnv = { OIDC_USE_DPOP: 'true' };

async function recordOf(app: TestApp, jar: CookieJar): Promise<TokenRecord> {
  const record = await app.backend.tokens.get(app.sessionIdOf(jar));
  assert.ok(record, 'the session has a token record');
  return record;
}

/** The thumbprint (RFC 7638) of the public half of a stored private key. */
function thumbprintOf(key: JWK | undefined): Promise<string> {
  assert.ok(key, 'the record keeps a DPoP key');
  const { d: _private, ...publicJwk } = key;
  return calculateJwkThumbprint(publicJwk);
}

function boundKeyOf(accessToken: string): unknown {
  return (decodeJwt(accessToken).cnf as { jkt?: unknown } | undefined)?.jkt;
}

/** Calls the demo API the way a client holding `key` would, with a fresh nonce from the API. */
async function callWithProof(
  app: TestApp,
  accessToken: string,
  key: JWK,
  change: {
    scheme?: string;
    htm?: string;
    accessTokenInProof?: string;
    proof?: string | null;
  } = {},
): Promise<Response> {
  const url = app.config.resourceUrl.href;
  const claims = {
    htm: change.htm ?? 'GET',
    htu: url,
    accessToken: change.accessTokenInProof ?? accessToken,
  };
  // The API answers a proof without its nonce with the nonce to use (RFC 9449 §9).
  const first = await fetch(url, {
    headers: { authorization: `DPoP ${accessToken}`, dpop: await signProof(key, claims) },
  });
  const nonce = first.headers.get('dpop-nonce') ?? undefined;
  const proof =
    change.proof === undefined ? await signProof(key, { ...claims, nonce }) : change.proof;
  return fetch(url, {
    headers: {
      authorization: `${change.scheme ?? 'DPoP'} ${accessToken}`,
      ...(proof !== null && { dpop: proof }),
    },
  });
}

describe('DPoP-bound tokens (OIDC_USE_DPOP)', () => {
  it("binds the access token to the session's key (cnf.jkt) and calls the API with proofs", async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();
    const { tokens } = await recordOf(app, jar);

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(tokens.tokenType.toLowerCase(), 'dpop');
    assert.equal(boundKeyOf(tokens.accessToken), await thumbprintOf(tokens.dpopKey));
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Hello, alice/);
  });

  it("answers the provider's use_dpop_nonce at the code exchange with a proof that carries it", async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();

    const exchanges = (await recordedSteps(app, jar)).filter(
      (step) => step.kind === 'token-request',
    );

    assert.deepEqual(
      exchanges.map((step) => [step.response?.status, step.response?.fields.error]),
      [
        [400, 'use_dpop_nonce'],
        [200, undefined],
      ],
    );
    assert.ok(exchanges[0]?.response?.fields['dpop-nonce'], 'the provider named the nonce');
    assert.match(exchanges[1]?.request.params['dpop (claims)'] ?? '', /"nonce":/);
  });

  it('leaves the tokens unbound without OIDC_USE_DPOP', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const { tokens } = await recordOf(app, jar);

    assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
    assert.equal(tokens.dpopKey, undefined);
    assert.equal(boundKeyOf(tokens.accessToken), undefined);
  });

  it('refreshes with a proof: the new access token is bound to the same key', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();
    const before = await recordOf(app, jar);
    // A new instance knows no nonce of the provider's yet: the refresh meets use_dpop_nonce.
    await app.restart();

    app.advanceClock(tenMinutes);
    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const after = await recordOf(app, jar);
    const refreshes = (await recordedSteps(app, jar)).filter(
      (step) => step.kind === 'token-refresh',
    );

    assert.equal(response.status, 200);
    assert.equal(app.grants.refresh_token, 1);
    assert.notEqual(after.tokens.accessToken, before.tokens.accessToken);
    assert.deepEqual(after.tokens.dpopKey, before.tokens.dpopKey, 'the key stays with the session');
    assert.equal(boundKeyOf(after.tokens.accessToken), await thumbprintOf(before.tokens.dpopKey));
    assert.deepEqual(
      refreshes.map((step) => [step.response?.status, step.response?.fields.error]),
      [
        [400, 'use_dpop_nonce'],
        [200, undefined],
      ],
    );
  });

  it('refreshes and retries with proofs when the API refuses the bound token', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();
    const record = await recordOf(app, jar);
    await app.backend.tokens.replace(app.sessionIdOf(jar), record.version, {
      ...record.tokens,
      accessToken: 'revoked-or-garbage',
    });

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const after = await recordOf(app, jar);

    assert.equal(response.status, 200);
    assert.equal(app.grants.refresh_token, 1);
    assert.equal(boundKeyOf(after.tokens.accessToken), await thumbprintOf(record.tokens.dpopKey));
  });

  it('records the proofs on /flow: header and claims shown, the access token redacted', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();
    app.advanceClock(tenMinutes);
    await jar.fetch(`${app.baseUrl}/resource`);

    const steps = await recordedSteps(app, jar);
    const page = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    const exchange = steps.findLast((step) => step.kind === 'token-request');
    const header = JSON.parse(exchange?.request.params['dpop (header)'] ?? '{}');
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(header.jwk.kty, 'EC');
    assert.equal(header.jwk.d, undefined);
    const claims = JSON.parse(exchange?.request.params['dpop (claims)'] ?? '{}');
    assert.equal(claims.htm, 'POST');
    assert.equal(claims.htu, `${app.issuer}/token`);
    assert.equal(typeof claims.iat, 'number');
    assert.equal(typeof claims.jti, 'string');
    const call = steps.findLast((step) => step.kind === 'dpop-call');
    assert.equal(call?.response?.status, 200);
    assert.match(
      call?.request.params.authorization ?? '',
      /^DPoP JWT, \d+ characters \(redacted\)$/,
    );
    const callClaims = JSON.parse(call?.request.params['dpop (claims)'] ?? '{}');
    assert.equal(callClaims.htm, 'GET');
    assert.equal(callClaims.htu, app.config.resourceUrl.href);
    assert.match(callClaims.ath, /^[\w-]{43}$/);
    assert.match(page, /dpop\+jwt/);
    assert.match(page, /RFC 9449/);
  });

  it('keeps the private key out of the store in clear, the logs, the pages and /flow', async (t) => {
    const store = await useStore(t, 'sqlite');
    const app = await startTestApp(t, {
      env: {
        ...store.env,
        ...dpopEnv,
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });
    const jar = await app.signIn();
    app.advanceClock(tenMinutes);
    const pages = [
      await (await jar.fetch(`${app.baseUrl}/resource`)).text(),
      await (await jar.fetch(`${app.baseUrl}/`)).text(),
      await (await jar.fetch(`${app.baseUrl}/flow`)).text(),
    ].join('\n');
    const record = await recordOf(app, jar);

    // The database file and its write-ahead log, where recent writes sit until a checkpoint.
    const stored = await store.rawContent(app);
    const encrypted = await store.tokenRecordData(app, app.sessionIdOf(jar));
    const logs = app.logs.join('\n');

    assert.match(encrypted ?? '', /^v2\.[\w-]{8}\./, 'the token record is stored encrypted');
    assert.ok(stored.includes(encrypted?.slice(0, 64) ?? '-'), 'the record is in the raw files');
    assertNoDpopKeyIn(stored, record, 'the store');
    assertNoDpopKeyIn(logs, record, 'the log');
    assertNoDpopKeyIn(pages, record, 'the pages');
    assertNoTokensIn(stored, record, 'the store');
    assertNoTokensIn(pages, record, 'the pages');
  });

  it('revokes the refresh token at sign-out (RFC 7009 needs no proof: the client authenticates)', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const jar = await app.signIn();
    const record = await recordOf(app, jar);

    const response = await app.postLogout(jar, { csrf: await app.csrfTokenOf(jar) });
    const isRefreshTokenActive = await isActive(app, record.tokens.refreshToken ?? '');

    assert.equal(response.status, 303);
    assert.equal(isRefreshTokenActive, false);
  });
});

describe('the demo API with DPoP-bound tokens', () => {
  it('refuses the bound token sent as a plain Bearer token', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const { tokens } = await recordOf(app, await app.signIn());

    const response = await fetch(app.config.resourceUrl, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^DPoP\b.*error="invalid_token"/);
  });

  it('answers a good proof with the bound token', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const { tokens } = await recordOf(app, await app.signIn());
    assert.ok(tokens.dpopKey);

    const response = await callWithProof(app, tokens.accessToken, tokens.dpopKey);

    assert.equal(response.status, 200);
  });

  it('asks for its nonce when the proof carries none', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const { tokens } = await recordOf(app, await app.signIn());
    assert.ok(tokens.dpopKey);

    const response = await fetch(app.config.resourceUrl, {
      headers: {
        authorization: `DPoP ${tokens.accessToken}`,
        dpop: await signProof(tokens.dpopKey, {
          htm: 'GET',
          htu: app.config.resourceUrl.href,
          accessToken: tokens.accessToken,
        }),
      },
    });

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="use_dpop_nonce"/);
    assert.ok(response.headers.get('dpop-nonce'));
  });

  const otherKey = async (): Promise<JWK> =>
    exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
  const refusals: Array<[string, (key: JWK) => Promise<Parameters<typeof callWithProof>[3]>]> = [
    ['no proof at all', async () => ({ proof: null })],
    ['a proof that is no JWT', async () => ({ proof: 'not-a-proof' })],
    ['a proof for another method', async () => ({ htm: 'POST' })],
    ['a proof for another access token', async () => ({ accessTokenInProof: 'another-token' })],
  ];
  for (const [what, change] of refusals) {
    it(`refuses the bound token with ${what}`, async (t) => {
      const app = await startTestApp(t, { env: dpopEnv });
      const { tokens } = await recordOf(app, await app.signIn());
      assert.ok(tokens.dpopKey);

      const response = await callWithProof(
        app,
        tokens.accessToken,
        tokens.dpopKey,
        await change(tokens.dpopKey),
      );

      assert.equal(response.status, 401);
      assert.match(
        response.headers.get('www-authenticate') ?? '',
        /^DPoP\b.*error="invalid_dpop_proof"/,
      );
    });
  }

  it('refuses the bound token with a good proof signed by another key', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const { tokens } = await recordOf(app, await app.signIn());

    const response = await callWithProof(app, tokens.accessToken, await otherKey());

    assert.equal(response.status, 401);
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /^DPoP\b.*error="invalid_dpop_proof"/,
    );
  });

  it('refuses a proof used twice (RFC 9449 §11.1)', async (t) => {
    const app = await startTestApp(t, { env: dpopEnv });
    const { tokens } = await recordOf(app, await app.signIn());
    assert.ok(tokens.dpopKey);
    const claims = {
      htm: 'GET',
      htu: app.config.resourceUrl.href,
      accessToken: tokens.accessToken,
    };
    const asked = await fetch(app.config.resourceUrl, {
      headers: {
        authorization: `DPoP ${tokens.accessToken}`,
        dpop: await signProof(tokens.dpopKey, claims),
      },
    });
    const nonce = asked.headers.get('dpop-nonce') ?? undefined;
    const headers = {
      authorization: `DPoP ${tokens.accessToken}`,
      dpop: await signProof(tokens.dpopKey, { ...claims, nonce }),
    };

    const first = await fetch(app.config.resourceUrl, { headers });
    const second = await fetch(app.config.resourceUrl, { headers });

    assert.equal(first.status, 200);
    assert.equal(second.status, 401);
    assert.match(second.headers.get('www-authenticate') ?? '', /error="invalid_dpop_proof"/);
  });
});
