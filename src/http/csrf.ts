// CSRF protection for state-changing forms: a synchronizer token kept in the session and echoed
// in the form, plus an Origin check when the browser sends one (OWASP CSRF cheat sheet).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { CsrfError } from '../errors.ts';
import { logAuditEvent } from './request-logger.ts';

/** The session's CSRF token, created when missing. */
export function ensureCsrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/**
 * Refuses the request with a 403 unless the form's `_csrf` matches and the origin is ours. A
 * refusal is logged as an audit event with the session's user.
 */
export function verifyCsrf(appOrigin: string, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const refusal = csrfRefusal(req, appOrigin);
    if (refusal) {
      logAuditEvent(logger, req, res, 'csrf-refused', {
        sub: req.session.user?.sub,
        reason: refusal,
      });
      throw new CsrfError();
    }
    next();
  };
}

/** Why the request fails the check, or undefined when it passes. */
function csrfRefusal(req: Request, appOrigin: string): 'origin' | 'token' | undefined {
  const origin = req.get('origin');
  // Browsers send "Origin: null" on same-origin posts from a page under Referrer-Policy
  // no-referrer (the /callback error page): like no Origin, it leaves the decision to the token.
  if (origin !== undefined && origin !== 'null' && origin !== appOrigin) return 'origin';
  const expected = req.session.csrfToken;
  const body: unknown = req.body;
  const sent =
    body && typeof body === 'object' && '_csrf' in body
      ? (body as { _csrf: unknown })._csrf
      : undefined;
  if (!expected || typeof sent !== 'string' || !isSameText(sent, expected)) return 'token';
  return undefined;
}

function isSameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
