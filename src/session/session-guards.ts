// What every request of a session goes through: one nobody signed into keeps its expiry; a
// sign-in past its absolute lifetime ends (OWASP ASVS V3.3), the token record is read once per
// page, and a refresh token that is no longer good sends the browser to sign in again.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { TokenRefreshError } from '../errors.ts';
import { logAuditEvent } from '../http/request-logger.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import { signInUrl } from './require-login.ts';
import { endSignIn, revokeRefreshTokenQuietly } from './session-lifecycle.ts';
import type { TokenStore } from './token-store.ts';

/**
 * A session nobody has signed into keeps the expiry its last sign-in start gave it: express-session
 * would otherwise give a session it saves a full cookie lifetime from now again (its stored
 * `originalMaxAge`), and a client could keep any number of them alive, out of the sign-in
 * ceiling's count (docs/decisions/012-sign-in-limits.md).
 */
export function holdAnonymousExpiry(): RequestHandler {
  return (req, _res, next) => {
    const session = req.session;
    const expires = session?.cookie.expires;
    // Set again, the expiry becomes the time left, which is what a save renews it to.
    if (session?.pendingLogins && !session.user && expires) {
      session.cookie.expires = new Date(expires);
    }
    next();
  };
}

export interface SessionLifetimeOptions {
  tokens: TokenStore;
  oidc: Pick<OidcClient, 'revokeRefreshToken'>;
  logger: Logger;
  maxAgeMs: number;
  now: () => number;
  /** The sign-out form's path (POST), which ends an old sign-in itself. */
  signOutPath: string;
}

/**
 * Ends a sign-in older than `maxAgeMs`, whatever its activity, and revokes its refresh token. Every
 * method goes through it: Express answers HEAD with the GET handlers, API call included.
 */
export function enforceSessionLifetime(options: SessionLifetimeOptions): RequestHandler {
  const { tokens, oidc, logger, maxAgeMs, now, signOutPath } = options;
  return async (req, res, next) => {
    const user = req.session?.user;
    // All but the sign-out form: posted after the limit, it revokes and ends the app's session
    // itself, and it still needs the ID token to end the provider's session with it as the hint.
    const isSignOut = req.method === 'POST' && req.path === signOutPath;
    if (!isSignOut && user && user.signedInAt + maxAgeMs <= now()) {
      await revokeRefreshTokenQuietly(oidc, await tokens.get(req.sessionID), {
        logger,
        reqId: res.locals.requestId,
      });
      await endSignIn(
        req,
        tokens,
        'Your session reached its maximum length. Please sign in again.',
      );
      logAuditEvent(logger, req, res, 'session-expired', { sub: user.sub });
    }
    next();
  };
}

/**
 * Reads a signed-in session's token record once per request (any method: HEAD runs the GET
 * handlers), into `res.locals.tokenRecord`. A session whose tokens are gone (ended by back-channel
 * logout, or no longer decryptable after a key change) is signed out, on every page, not only on
 * the next API call.
 */
export function loadTokenRecord(tokens: TokenStore): RequestHandler {
  return async (req, res, next) => {
    if (!req.session?.user) return next();
    const record = await tokens.get(req.sessionID);
    if (record) res.locals.tokenRecord = record;
    else await endSignIn(req, tokens, 'Your sign-in was ended. Please sign in again.');
    next();
  };
}

/**
 * A refresh token that is no longer good means signing in again, with a notice, not an error page.
 * For GET and HEAD (which runs the GET handlers): a redirect would turn another method into a GET.
 */
export function reauthenticateOnExpiredLogin(
  tokens: TokenStore,
  logger: Logger,
): ErrorRequestHandler {
  return async (error: unknown, req, res, next) => {
    const isPageRequest = req.method === 'GET' || req.method === 'HEAD';
    if (!(error instanceof TokenRefreshError) || !isPageRequest || !req.session) return next(error);
    // Not an error page, so renderErrors will not log it: say here why the user signs in again.
    logger.info({ reqId: res.locals.requestId, err: error }, 'sign-in expired; signing in again');
    await endSignIn(req, tokens, 'Your sign-in had expired, so you were asked to sign in again.');
    res.redirect(signInUrl(req.originalUrl));
  };
}
