// POST /logout: revoke the refresh token, end the local session, then end the provider's session
// (OpenID Connect RP-Initiated Logout 1.0). A failed revocation never keeps the user signed in.
import express, { Router } from 'express';
import type { Logger } from 'pino';
import { verifyCsrf } from '../http/csrf.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { TokenStore } from '../session/token-store.ts';
import { revokeRefreshToken, signOut } from './session-lifecycle.ts';

export interface LogoutRouteOptions {
  oidc: OidcClient;
  tokens: TokenStore;
  appOrigin: string;
  logger: Logger;
}

/** The router for POST /logout. */
export function logoutRoute(options: LogoutRouteOptions): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 });

  router.post('/logout', form, verifyCsrf(options.appOrigin), async (req, res) => {
    const record = await options.tokens.get(req.sessionID);
    await revokeRefreshToken(options.oidc, record, (error) => {
      options.logger.warn(
        { reqId: res.locals.requestId, err: error },
        'refresh token revocation failed',
      );
    });
    const logoutUrl = await options.oidc
      .buildLogoutUrl(record?.tokens.idToken)
      .catch((error: unknown) => {
        options.logger.warn({ reqId: res.locals.requestId, err: error }, 'no end-session URL');
        return undefined;
      });
    await signOut(req, options.tokens);
    res.redirect(303, logoutUrl?.href ?? '/');
  });

  return router;
}
