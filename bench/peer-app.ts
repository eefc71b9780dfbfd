// Exists only to compare: the benchmark's peer, an app written the idiomatic way with Auth0's
// express-openid-connect (`auth()`, `requiresAuth()`, `req.oidc.accessToken` with isExpired() and
// refresh()), calling the same protected API. It is not part of the reference app: copy from src/.
// Its session is the library's default, an encrypted cookie holding the tokens.
import express from 'express';
import openidConnect from 'express-openid-connect';
import { required } from './server-env.ts';

// A CommonJS package whose exports Node cannot name statically: taken from its default export.
const { auth, requiresAuth } = openidConnect;

const port = Number(required('PORT'));
const resourceUrl = required('RESOURCE_URL');

const app = express();
app.use(
  auth({
    issuerBaseURL: required('OIDC_ISSUER'),
    baseURL: `http://127.0.0.1:${port}`,
    clientID: required('OIDC_CLIENT_ID'),
    clientSecret: required('OIDC_CLIENT_SECRET'),
    secret: required('PEER_SESSION_SECRET'),
    // Pages decide for themselves (requiresAuth), as the reference app's do.
    authRequired: false,
    authorizationParams: {
      response_type: 'code',
      // The same scopes and prompt as the reference app: refresh tokens and the API's scope.
      scope: 'openid profile email offline_access api:read',
      prompt: 'consent',
    },
  }),
);

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/', (req, res) => {
  res.json({ isSignedIn: req.oidc.isAuthenticated(), name: req.oidc.user?.name });
});

app.get('/resource', requiresAuth(), async (req, res) => {
  let accessToken = req.oidc.accessToken;
  if (!accessToken) throw new Error('signed in without an access token');
  if (accessToken.isExpired()) accessToken = await accessToken.refresh();
  const response = await fetch(resourceUrl, {
    headers: { authorization: `Bearer ${accessToken.access_token}` },
    signal: AbortSignal.timeout(10_000),
  });
  res.status(response.ok ? 200 : 502).json(await response.json());
});

app.listen(port, '127.0.0.1');
