// The sign-in limits, set by what they protect (the session store, the provider), not by address
// (OWASP ASVS 4.0.3 V11.1.4, anti-automation; docs/decisions/012-sign-in-limits.md):
// 1. A callback whose `state` names a sign-in this browser started is never refused: it is the
//    user coming back from the provider, and it was paid for when the sign-in started.
// 2. Per client address: every GET /login, and every callback that answers no sign-in, counts;
//    `perClientPerMinute` (default 300: 200 people behind one NAT sign in within a minute). 429.
// 3. For all clients together: sign-ins started by a browser with no signed-in user (the only
//    requests that make sessions nobody signed into) count; at most `sessionCeiling / 2` per
//    `anonymousSessionTtlMs`. Such a session ends `anonymousSessionTtlMs` after its last sign-in
//    started, so at most `sessionCeiling` exist at once, whatever X-Forwarded-For says. 503.
// With Redis the counters are shared by every instance (rate-limit-redis); with SQLite they are
// kept in process memory.
import type { Request, RequestHandler } from 'express';
import {
  type AugmentedRequest,
  type RateLimitExceededEventHandler,
  rateLimit,
  type Store,
} from 'express-rate-limit';
import { RateLimitError, SignInCeilingError } from '../errors.ts';
import { pendingLoginAnswered } from '../protocol.ts';

export interface SignInLimitOptions {
  /** Rule 2: sign-ins started, and callbacks answering none, per client address a minute. */
  perClientPerMinute: number;
  /** Rule 3: sessions without a signed-in user that may exist at once, all clients together. */
  sessionCeiling: number;
  /** How long a session without a signed-in user lives after its last sign-in started. */
  anonymousSessionTtlMs: number;
  /** The counters of one limit, shared by instances; undefined: this process's memory. */
  counters: (name: string) => Store | undefined;
}

export interface SignInLimits {
  /** For GET /login: rule 2, then rule 3 for a browser with no signed-in user. */
  login: RequestHandler;
  /** For the callback: rule 1, else rule 2. */
  callback: RequestHandler;
}

/** The sign-in limits; mount them after the session middleware, which they read. */
export function signInLimits(options: SignInLimitOptions): SignInLimits {
  const perClient = limitPerClient(options);
  const ceiling = limitSessionsWithoutUser(options);
  return {
    login: (req, res, next) => {
      perClient(req, res, (error?: unknown) => {
        if (error !== undefined || req.session.user) return next(error);
        ceiling(req, res, next);
      });
    },
    callback: (req, res, next) => {
      if (answersPendingSignIn(req)) return next();
      perClient(req, res, next);
    },
  };
}

/** Rule 1: the callback's one `state` names a sign-in in progress in this browser's session. */
function answersPendingSignIn(req: Request): boolean {
  const query = new URL(req.originalUrl, 'http://app.invalid').searchParams;
  return pendingLoginAnswered(query, req.session.pendingLogins) !== undefined;
}

/** Rule 2: per client address (req.ip, through TRUST_PROXY; IPv6 by /56), a one-minute window. */
function limitPerClient(options: SignInLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.perClientPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: options.counters('client'),
    // With standardHeaders, express-rate-limit sets Retry-After to the window's end itself.
    handler: (_req, _res, next) => next(new RateLimitError()),
  });
}

/**
 * Rule 3: one counter for every client. A fixed window as long as such a session lives: the
 * sessions alive at any moment started in the last two windows, so half the ceiling per window.
 * No RateLimit headers: how busy sign-in is, across all users, is nobody's business.
 */
function limitSessionsWithoutUser(options: SignInLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.anonymousSessionTtlMs,
    limit: Math.max(1, Math.floor(options.sessionCeiling / 2)),
    keyGenerator: () => 'all-clients',
    standardHeaders: false,
    legacyHeaders: false,
    store: options.counters('ceiling'),
    handler: refuseUntilWindowEnds(options.anonymousSessionTtlMs),
  });
}

/**
 * The ceiling's refusal, a 503 page with Retry-After when its window ends (RFC 9110 §10.2.3): set
 * here because the ceiling sends no RateLimit headers, which would otherwise carry it.
 */
function refuseUntilWindowEnds(windowMs: number): RateLimitExceededEventHandler {
  return (req, res, next, used) => {
    const resetTime = (req as AugmentedRequest)[used.requestPropertyName]?.resetTime;
    const untilMs = resetTime ? resetTime.getTime() - Date.now() : windowMs;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(untilMs / 1000))));
    next(new SignInCeilingError());
  };
}
