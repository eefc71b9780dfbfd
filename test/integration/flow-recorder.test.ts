import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionData } from 'express-session';
import { maxFlowSteps } from '../../src/recorder/flow-history.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { readSession, recordedSteps, writeSession } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;

describe('the /flow recorder', () => {
  it("records the sign-in: the browser sent to the provider, its return, the code exchange, the provider's key set", async (t) => {
    const app = await startTestApp(t);

    const jar = await app.signIn();
    const steps = await recordedSteps(app, jar);

    assert.deepEqual(
      steps.map((step) => step.kind),
      ['authorization-request', 'authorization-response', 'token-request', 'jwks'],
    );
    const [request, response, exchange, keySet] = steps;
    assert.equal(request?.request.params.code_challenge_method, 'S256');
    assert.match(request?.request.params.state ?? '', /^[\w-]{20,}$/);
    assert.equal(response?.request.params.state, request?.request.params.state);
    assert.match(response?.request.params.code ?? '', /\(redacted\)$/);
    assert.equal(exchange?.request.params.grant_type, 'authorization_code');
    assert.match(exchange?.request.params.code_verifier ?? '', /\(redacted\)$/);
    assert.equal(exchange?.response?.status, 200);
    assert.match(exchange?.response?.fields.id_token ?? '', /^JWT, \d+ characters \(redacted\)$/);
    assert.equal(keySet?.request.method, 'GET');
    assert.equal(keySet?.request.url, `${app.issuer}/jwks`);
    assert.equal(keySet?.response?.status, 200);
  });

  it('records a refresh and the API call on the app clock, after the sign-in', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    app.advanceClock(tenMinutes);
    const startedAt = Date.now() + tenMinutes;
    await jar.fetch(`${app.baseUrl}/resource`);
    const steps = await recordedSteps(app, jar);

    assert.deepEqual(
      steps.slice(4).map((step) => step.kind),
      ['token-refresh', 'bearer-call'],
      'the refreshed ID token is verified with the cached key set: no second fetch',
    );
    const [refresh, call] = steps.slice(4);
    assert.ok((refresh?.at ?? 0) >= startedAt, 'the refresh is timed by the app clock');
    assert.equal(refresh?.request.params.grant_type, 'refresh_token');
    assert.match(
      call?.request.params.authorization ?? '',
      /^Bearer JWT, \d+ characters \(redacted\)$/,
    );
    assert.equal(call?.response?.status, 200);
    assert.deepEqual(call?.response?.fields, {}, "the API's answer is the page's, not the flow's");
  });

  it(`keeps the newest ${maxFlowSteps} steps of a long session`, async (t) => {
    const app = await startTestApp(t, {
      env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000', SESSION_MAX_AGE_SECONDS: '86400' },
    });
    const jar = await app.signIn();

    // Each round: the access token has expired, so a refresh and an API call are recorded.
    for (let round = 0; round < maxFlowSteps / 2 + 1; round += 1) {
      app.advanceClock(tenMinutes);
      await jar.fetch(`${app.baseUrl}/resource`);
    }
    const steps = await recordedSteps(app, jar);

    assert.equal(steps.length, maxFlowSteps);
    assert.equal(steps.at(-1)?.kind, 'bearer-call');
    assert.ok(!steps.some((step) => step.kind === 'token-request'), 'the oldest steps dropped');
  });

  it('records nothing, and writes no session, for an API call with a good token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const before = await recordedSteps(app, jar);

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const after = await recordedSteps(app, jar);

    assert.equal(response.status, 200);
    assert.deepEqual(after, before);
  });

  it("starts a new sign-in's flow at its own authorization request, not an earlier user's", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn('alice');
    app.advanceClock(tenMinutes);
    await jar.fetch(`${app.baseUrl}/resource`);

    await signInThroughProvider(`${app.baseUrl}/login`, jar, { login: 'bob' });
    const steps = await recordedSteps(app, jar);

    assert.deepEqual(
      steps.map((step) => step.kind),
      ['authorization-request', 'authorization-response', 'token-request'],
    );
  });

  it("does not record a query that only looks like the provider's answer", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const before = await recordedSteps(app, jar);

    await jar.fetch(`${app.baseUrl}/?state=forged&error=access_denied&error_description=Call+555`);
    await jar.fetch(`${app.baseUrl}/callback?state=forged&error=access_denied`);
    const after = await recordedSteps(app, jar);

    assert.deepEqual(after, before);
  });

  it('answers a path that is no URL with a 404, not a 500', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}//[`);

    assert.equal(response.status, 404);
  });

  it('creates no session for a callback no sign-in started', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/callback?state=forged&code=forged`, {
      redirect: 'manual',
    });

    assert.equal(response.status, 400);
    assert.equal(response.headers.get('set-cookie'), null);
  });
});

describe('the /flow steps in a stored session', () => {
  it('a damaged record of them is started again, without failing the page or the process', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const id = app.sessionIdOf(jar);
    const session = await readSession(app.backend, id);
    assert.ok(session?.compressedFlow);
    session.compressedFlow = session.compressedFlow.slice(0, 40);
    await writeSession(app.backend, id, session);

    // A refresh adds a step, so the damaged steps are read as the response ends.
    app.advanceClock(tenMinutes);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);
    const flow = await jar.fetch(`${app.baseUrl}/flow`);

    assert.equal(resource.status, 200);
    assert.equal(flow.status, 200);
    const steps = await recordedSteps(app, jar);
    assert.deepEqual(
      steps.map((step) => step.kind),
      ['token-refresh', 'bearer-call'],
      'the steps from the refresh on',
    );
  });

  it('a session saved with steps as objects (before compressedFlow) still shows them, and the next write moves them', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const id = app.sessionIdOf(jar);
    const session = await readSession(app.backend, id);
    assert.ok(session);
    const signInSteps = await recordedSteps(app, jar);
    const { compressedFlow: _, ...withoutCompressed } = session;
    const legacy = { ...withoutCompressed, flow: signInSteps } as SessionData;
    await writeSession(app.backend, id, legacy);
    const stored = await readSession(app.backend, id);
    assert.equal(stored?.compressedFlow, undefined, 'stored as before compressedFlow');
    assert.deepEqual(
      stored?.flow?.map((step) => step.kind),
      signInSteps.map((step) => step.kind),
    );

    const before = await jar.fetch(`${app.baseUrl}/flow`);
    const html = await before.text();
    app.advanceClock(tenMinutes);
    await jar.fetch(`${app.baseUrl}/resource`);
    const after = await readSession(app.backend, id);

    assert.equal(before.status, 200);
    assert.match(html, /Authorization request/);
    assert.equal(after?.flow, undefined, 'no longer kept as objects');
    assert.deepEqual(
      (await recordedSteps(app, jar)).map((step) => step.kind),
      [...signInSteps.map((step) => step.kind), 'token-refresh', 'bearer-call'],
    );
  });
});
