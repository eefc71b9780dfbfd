// Requests whose target is not a path, such as `OPTIONS *` (asterisk-form, RFC 9112 §3.2.4): no
// route, page or session applies to them.
import type { RequestHandler } from 'express';

/** Answers 400 in plain text when the request-target has no path; absolute-form has one and passes. */
export function refuseTargetsWithoutPath(): RequestHandler {
  return (req, res, next) => {
    // express-session leaves such a request without a session (its path is outside the cookie's
    // Path=/), and every later handler expects one.
    if (req.path.startsWith('/')) return next();
    res.status(400).type('text/plain').send('Bad request\n');
  };
}
