// POST /backchannel-logout: the provider tells the app, server to server, that a user's provider
// session ended (OpenID Connect Back-Channel Logout 1.0). Every matching app session ends too.
import express, { type ErrorRequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { AppError, clientErrorStatus, LogoutTokenError } from '../errors.ts';
import { logAuditEvent } from '../http/request-logger.ts';
import { noStore } from '../http/security.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SessionBackend } from '../session/session-backend.ts';
import { destroyStoredSession } from '../session/session-lifecycle.ts';

export interface BackchannelLogoutOptions {
  oidc: Pick<OidcClient, 'verifyLogoutToken'>;
  backend: Pick<SessionBackend, 'sessions' | 'tokens' | 'rememberOnce'>;
  logger: Logger;
}

/** Where the provider posts logout tokens: the back-channel logout URI to register is APP_BASE_URL + this. */
export const backchannelLogoutPath = '/backchannel-logout';

/** The router for POST /backchannel-logout (mounted before the session middleware: no cookies). */
export function backchannelLogout(options: BackchannelLogoutOptions): Router {
  const { oidc, backend, logger } = options;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 5 });

  router.post(backchannelLogoutPath, noStore(), form, async (req, res) => {
    const token: unknown = (req.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new LogoutTokenError('logout_token is missing.');
    }

    // §2.6: signature against the provider's keys, iss, aud, iat, exp, the event, sub and/or sid.
    const verified = await oidc.verifyLogoutToken(token);
    const { subject } = verified;

    // Each jti once (§2.6), in the shared store: a replay after a restart or to another instance
    // is refused too. Remembered while the token could still verify, then forgotten by the store.
    if (!(await backend.rememberOnce(verified.jti, verified.rememberForMs))) {
      throw new LogoutTokenError('The logout token was already used.');
    }

    // Every app session of that user (or provider session) that signed in before the token was
    // issued: its tokens, then its session row. A later sign-in is a new provider session the
    // logout did not end.
    const sessionIds = await backend.tokens.findSessions({
      ...subject,
      signedInBy: verified.signedInBy,
    });
    for (const sessionId of sessionIds) {
      await backend.tokens.delete(sessionId);
      await destroyStoredSession(backend.sessions, sessionId);
    }
    logAuditEvent(logger, req, res, 'backchannel-logout', {
      sub: subject.sub,
      hasSid: subject.sid !== undefined,
      sessions: sessionIds.length,
    });
    res.status(200).end();
  });

  // §2.8: errors are JSON for the calling server: 400 for a request that can never succeed,
  // 5xx (the provider retries later) when the app or the provider's keys are unavailable.
  const answerAsJson: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    logger.warn({ err: error }, 'back-channel logout refused');
    if (clientErrorStatus(error) !== undefined) {
      const description =
        error instanceof AppError ? error.publicMessage : 'The request is malformed.';
      res.status(400).json({ error: 'invalid_request', error_description: description });
      return;
    }
    res
      .status(error instanceof AppError && error.status >= 500 ? error.status : 503)
      .json({ error: 'temporarily_unavailable' });
  };
  router.use(answerAsJson);
  return router;
}
