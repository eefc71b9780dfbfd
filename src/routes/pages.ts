// The pages a person sees: home, the protected API's answer, and their own flow.
import { Router } from 'express';
import { callProtectedApi, type TokenRefresher } from '../flow/call-protected-api.ts';
import { takeNotice } from '../http/page-locals.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import { requireLogin } from '../session/require-login.ts';
import { explainScopes } from './explain-scopes.ts';
import { describeTokens } from './token-status.ts';

export interface PageRoutesOptions {
  oidc: Pick<OidcClient, 'callResource'>;
  refresher: TokenRefresher;
  now: () => number;
  resourceUrl: string;
  /** The scopes the app asks for (OIDC_SCOPES), to explain where each went. */
  requestedScopes: string;
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

  router.get('/flow', requireLogin(), (req, res) => {
    res.render('flow', {
      title: 'Your flow',
      notice: takeNotice(req),
      steps: req.session.flow ?? [],
    });
  });

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
