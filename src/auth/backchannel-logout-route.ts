// POST /backchannel-logout: the provider tells the app, server to server, that a user's provider
// session ended (OpenID Connect Back-Channel Logout 1.0). Every matching app session ends too.
import express, { type ErrorRequestHandler, Router } from 'express';
import type session from 'express-session';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import { LogoutTokenError } from '../oidc/logout-token.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { TokenStore } from '../session/token-store.ts';

export interface BackchannelLogoutOptions {
  oidc: OidcClient;
  tokens: TokenStore;
  sessions: session.Store;
  logger: Logger;
}

/** The router for POST /backchannel-logout (mounted before the session middleware: no cookies). */
export function backchannelLogoutRoute(options: BackchannelLogoutOptions): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 5 });

  router.post('/backchannel-logout', form, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const token: unknown = (req.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token.length === 0)
      throw new LogoutTokenError('logout_token is missing.');
    const subject = await options.oidc.verifyLogoutToken(token);
    const sessionIds = await options.tokens.findSessions(subject);
    for (const sessionId of sessionIds) {
      await options.tokens.delete(sessionId);
      await new Promise<void>((resolve, reject) =>
        options.sessions.destroy(sessionId, (error) => (error ? reject(error) : resolve())),
      );
    }
    options.logger.info(
      { sessions: sessionIds.length, hasSid: subject.sid !== undefined },
      'back-channel logout',
    );
    res.status(200).end();
  });

  // §2.8: errors are JSON for the calling server: 400 for a bad token, 5xx (retry later) otherwise.
  const answerAsJson: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const isBadToken = error instanceof LogoutTokenError;
    options.logger.warn({ err: error }, 'back-channel logout refused');
    res
      .status(
        isBadToken ? 400 : error instanceof AppError && error.status >= 500 ? error.status : 503,
      )
      .json(
        isBadToken
          ? { error: 'invalid_request', error_description: error.publicMessage }
          : { error: 'temporarily_unavailable' },
      );
  };
  router.use(answerAsJson);
  return router;
}
