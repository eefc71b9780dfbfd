// The benchmark's floor, for both measurements: what an app that does the least possible costs.
// - GET /resource: a bare Express route calling the same protected API with one fixed token
//   (BASELINE_ACCESS_TOKEN), with no session, no refresh, no page. What the reference app's
//   /resource costs beyond this is what its sessions, encryption at rest and pages cost.
// - GET /login and /callback: a bare sign-in (PKCE and state kept in this process's memory, the
//   code exchanged, nothing stored, no cookie). Its rate is the most this machine and this
//   provider allow, whatever the app: the ceiling the two apps' sign-in rates are read against.
// It exists only to compare, and is not an example to copy: src/ is.
import { randomUUID } from 'node:crypto';
import express from 'express';
import * as client from 'openid-client';
import { required } from './server-env.ts';

const port = Number(required('PORT'));
const resourceUrl = required('RESOURCE_URL');
const accessToken = required('BASELINE_ACCESS_TOKEN');
const baseUrl = `http://127.0.0.1:${port}`;
const redirectUri = `${baseUrl}/callback`;

const configuration = await client.discovery(
  new URL(required('OIDC_ISSUER')),
  required('OIDC_CLIENT_ID'),
  required('OIDC_CLIENT_SECRET'),
  undefined,
  { execute: [client.allowInsecureRequests] },
);
/** PKCE verifiers by state, for sign-ins in progress (the benchmark's are short and bounded). */
const verifiers = new Map<string, string>();

const app = express();

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/resource', async (_req, res) => {
  const response = await fetch(resourceUrl, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  res.status(response.ok ? 200 : 502).json(await response.json());
});

app.get('/login', async (_req, res) => {
  const state = randomUUID();
  const verifier = client.randomPKCECodeVerifier();
  verifiers.set(state, verifier);
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri,
    // The same scopes and prompt as the two apps.
    scope: 'openid profile email offline_access api:read',
    prompt: 'consent',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  res.redirect(url.href);
});

app.get('/callback', async (req, res) => {
  const state = String(req.query.state);
  const verifier = verifiers.get(state);
  verifiers.delete(state);
  if (!verifier) {
    res.status(400).json({ error: 'unknown state' });
    return;
  }
  await client.authorizationCodeGrant(configuration, new URL(req.originalUrl, baseUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  res.redirect('/');
});

app.get('/', (_req, res) => {
  res.json({ isSignedIn: true });
});

app.listen(port, '127.0.0.1');
