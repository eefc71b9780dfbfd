// Middleware for routes that call an API: the access token is refreshed shortly before it expires,
// once per session even under concurrent requests (see session/token-refresher.ts).
import type { RequestHandler } from 'express';
import { TokenRefreshError } from '../errors.ts';
import type { TokenRefresher } from '../session/token-refresher.ts';

/**
 * Puts fresh tokens in `res.locals.tokens` (with the refresh steps, for the route to record),
 * starting from the record loadTokenRecord read. Tokens that vanished meanwhile (back-channel
 * logout during this request) mean signing in again.
 */
export function requireFreshTokens(refresher: TokenRefresher): RequestHandler {
  return async (req, res, next) => {
    const fresh = await refresher.getFreshTokens(req.sessionID, {
      current: res.locals.tokenRecord,
    });
    if (!fresh) throw new TokenRefreshError('Your sign-in was ended. Please sign in again.');
    res.locals.tokens = fresh;
    next();
  };
}
