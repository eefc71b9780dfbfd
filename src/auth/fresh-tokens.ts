// Middleware for routes that call an API: the access token is refreshed shortly before it expires,
// once per session even under concurrent requests (see session/token-refresher.ts).
import type { RequestHandler } from 'express';
import type { TokenRefresher } from '../session/token-refresher.ts';
import type { TokenStore } from '../session/token-store.ts';
import { endSignIn } from './session-lifecycle.ts';

/**
 * Puts fresh tokens in `res.locals.tokens` (with the refresh steps, for the route to record), or
 * sends the browser to sign in when there are none.
 */
export function requireFreshTokens(refresher: TokenRefresher, tokens: TokenStore): RequestHandler {
  return async (req, res, next) => {
    const fresh = await refresher.getFreshTokens(req.sessionID);
    if (!fresh) {
      // Signed in but no usable tokens (ended elsewhere, or no longer decryptable): sign in again.
      await endSignIn(req, tokens, 'Your sign-in was ended. Please sign in again.');
      res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.locals.tokens = fresh;
    next();
  };
}
