// The pages a person sees: home, the protected API's answer, and their own flow.
import { Router } from 'express';
import { callProtectedApi, type TokenRefresher } from '../flow/call-protected-api.ts';
import { takeNotice } from '../http/page-locals.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { FlowHistory } from '../recorder/flow-history.ts';
import { storedSteps } from '../recorder/flow-recorder.ts';
import { requireLogin } from '../session/require-login.ts';
import { explainScopes } from './explain-scopes.ts';
import { describeFlowPage } from './flow-page.ts';
import { describeTokens } from './token-status.ts';

export interface PageRoutesOptions {
  oidc: Pick<OidcClient, 'callResource' | 'discoveryStep'>;
  refresher: TokenRefresher;
  now: () => number;
  resourceUrl: string;
  /** The scopes the app asks for (OIDC_SCOPES), to explain where each went. */
  requestedScopes: string;
  /** The recorded steps kept in memory, merged into /flow. */
  history: FlowHistory;
  clientId: string;
  refreshSkewMs: number;
}

/** The router for /, /resource and /flow. */
export function pageRoutes(options: PageRoutesOptions): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const tokens = res.locals.tokenRecord?.tokens;
    res.render('home', {
      notice: takeNotice(req),
      tokenStatus: tokens && describeTokens(tokens, options.now()),
      scopes:
        tokens &&
        explainScopes(options.requestedScopes, tokens.scope, {
          hasIdToken: tokens.idToken !== undefined,
          hasRefreshToken: tokens.refreshToken !== undefined,
        }),
    });
  });

  router.get('/resource', requireLogin(), async (req, res) => {
    const call = await callProtectedApi(
      options.oidc,
      options.refresher,
      req.sessionID,
      res.locals.tokenRecord,
    );
    res.render('resource', {
      title: 'Protected API',
      notice: takeNotice(req),
      api: {
        url: options.resourceUrl,
        status: call.answer.status,
        fetchedAt: new Date(options.now()).toISOString(),
        body: prettyBody(call.answer.body, call.answer.contentType),
        wasRefreshed: call.wasRefreshed,
      },
    });
  });

  const signedIn = requireLogin();
  router.get(
    '/flow',
    // After a sign-out the fresh session holds only its steps and outcome: /flow still shows them.
    (req, res, next) => (req.session.signedOut ? next() : signedIn(req, res, next)),
    (req, res) => {
      const flow = describeFlowPage({
        steps: options.history.stepsOf(req.sessionID, storedSteps(req.session)),
        discovery: options.oidc.discoveryStep(),
        clientId: options.clientId,
        refreshSkewMs: options.refreshSkewMs,
        signedOut: req.session.user ? undefined : req.session.signedOut,
      });
      res.render('flow', { title: 'Your flow', notice: takeNotice(req), flow });
    },
  );

  return router;
}

function prettyBody(body: string, contentType: string): string {
  if (!contentType.includes('json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
