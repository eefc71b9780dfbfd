// Caps how often one client IP may start or finish a sign-in, so a script cannot fill the session
// store with pending logins or hammer the provider through the app (OWASP ASVS V2.2.1).
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RateLimitError } from '../errors.ts';

/** Limits GET /login and GET /callback together to `perMinute` requests per client IP. */
export function limitSignInAttempts(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    // The client IP comes from req.ip, which follows Express's `trust proxy` (TRUST_PROXY).
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new RateLimitError()),
  });
}
