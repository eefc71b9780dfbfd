// What every page template may read about the browser's session (never a token).
import type { Request, RequestHandler } from 'express';

/** Sets `user`, `csrfToken`, `hasSignOutSteps` (/flow after a sign-out) and `currentPath` for the templates. */
export function pageLocals(): RequestHandler {
  return (req, res, next) => {
    const { user } = req.session;
    res.locals.user = user && { sub: user.sub, name: user.name, email: user.email };
    res.locals.csrfToken = user ? req.session.csrfToken : undefined;
    res.locals.hasSignOutSteps = !user && req.session.signedOut !== undefined;
    res.locals.currentPath = req.path;
    next();
  };
}

/** The one-time notice, removed from the session: call it only when rendering a page. */
export function takeNotice(req: Request): string | undefined {
  const { notice } = req.session;
  if (notice !== undefined) delete req.session.notice;
  return notice;
}
