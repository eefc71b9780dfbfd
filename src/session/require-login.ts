// Pages that need a signed-in user send a signed-out browser to sign in, coming back here after.
import type { RequestHandler } from 'express';

/** The sign-in URL that returns to `returnTo` afterwards. */
export function signInUrl(returnTo: string): string {
  return `/login?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Sends a signed-out browser to /login, with a way back to the page it asked for. */
export function requireLogin(): RequestHandler {
  return (req, res, next) => {
    if (req.session.user) return next();
    res.redirect(signInUrl(req.originalUrl));
  };
}
