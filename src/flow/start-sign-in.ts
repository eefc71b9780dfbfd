// Move 1, GET /login: send the browser to the provider's authorization endpoint with a PKCE
// challenge, a state and a nonce, and remember them in the session until the callback comes back.
import type { RequestHandler } from 'express';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { PendingLogin } from '../protocol.ts';
import { saveSession } from '../session/session-lifecycle.ts';
import { safeReturnTo } from './safe-return-to.ts';

export interface StartSignInOptions {
  oidc: Pick<OidcClient, 'createAuthorizationRequest'>;
  now: () => number;
}

/** A sign-in must come back within this long (the user may stop to read the consent page). */
const pendingLoginTtlMs = 10 * 60 * 1000;
/** Sign-ins kept in progress at once per browser, one per tab: the oldest is dropped. */
const maxPendingLogins = 5;
/**
 * A session nobody has signed into ends this long after its last sign-in started: the sign-in's
 * own lifetime, and as long again for a late callback to be told it expired. It does not roll
 * (holdAnonymousExpiry), so the sign-in ceiling bounds how many exist (src/http/sign-in-limits.ts).
 */
export const anonymousSessionTtlMs = 2 * pendingLoginTtlMs;

/** GET /login?returnTo=/path: starts a sign-in and redirects to the provider. */
export function startSignIn(options: StartSignInOptions): RequestHandler {
  return async (req, res) => {
    const now = options.now();
    // Only a same-origin path: /login must never be an open redirector (RFC 9700 §4.11).
    const returnTo = safeReturnTo(req.query.returnTo);

    // A fresh PKCE verifier (S256, RFC 7636), state (CSRF, RFC 6749 §10.12) and nonce (OIDC Core
    // §15.5.2), and the authorization URL that carries the challenge, state and nonce.
    const request = await options.oidc.createAuthorizationRequest();

    // Kept server-side, keyed by state: the callback must answer a sign-in this browser started.
    const pending: PendingLogin = {
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      returnTo,
      expiresAt: now + pendingLoginTtlMs,
    };
    req.session.pendingLogins = keepRecent(
      { ...req.session.pendingLogins, [request.state]: pending },
      now,
    );
    if (!req.session.user) req.session.cookie.expires = new Date(now + anonymousSessionTtlMs);
    // Saved before the redirect: the callback may arrive before a lazy write would finish.
    await saveSession(req);
    res.redirect(request.url.href);
  };
}

/** The live pending logins, newest first, at most `maxPendingLogins` of them. */
function keepRecent(
  logins: Record<string, PendingLogin>,
  now: number,
): Record<string, PendingLogin> {
  const live = Object.entries(logins).filter(([, login]) => login.expiresAt > now);
  live.sort(([, a], [, b]) => b.expiresAt - a.expiresAt);
  return Object.fromEntries(live.slice(0, maxPendingLogins));
}
