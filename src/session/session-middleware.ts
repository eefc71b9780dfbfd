// express-session with the cookie settings this app relies on, each with its reason; and the idle
// timeout, kept by saving an active session now and then instead of writing it on every request.
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { AppConfig } from '../config/app-config.ts';
import { WriteOnceStore } from './write-once-store.ts';

/** How often, as a share of the idle timeout, an active session's expiry moves forward. */
const extendEveryShareOfIdleTimeout = 0.1;

/**
 * The session middleware: a signed id cookie in the browser, everything else in `store`; then
 * `extendActiveSession`. Errors pass through as they are: the stores report an outage as a
 * StoreError (a 503 page) themselves, and express-session's own failures (a cookie it cannot
 * write) are bugs, a 500.
 */
export function createSessionMiddleware(
  config: AppConfig,
  store: session.Store,
  now: () => number,
): RequestHandler[] {
  const { idleTimeoutMs } = config.session;
  const expressSession = session({
    name: config.session.cookieName,
    // Several secrets rotate: the first signs, all verify.
    secret: config.session.secrets,
    // A route's save before its redirect is the request's one write (express-session would write
    // a regenerated session again as the response ends). It has no `touch`, so express-session
    // writes nothing after a request that changed nothing: the expiry moves by saving, below.
    store: new WriteOnceStore(store),
    // Only sessions that hold something get a cookie and a row (no empty sessions for crawlers).
    saveUninitialized: false,
    // A request that did not change the session does not write it back over a newer copy.
    resave: false,
    // The idle timeout's expiry moves when the session is saved (extendActiveSession), cookie and
    // row together; not on every answer.
    rolling: false,
    // `proxy` is left unset: express-session then asks req.secure, which trusts X-Forwarded-Proto
    // only from the proxies Express's `trust proxy` (TRUST_PROXY) names.
    cookie: {
      // Not readable by scripts: an XSS cannot steal the session (OWASP ASVS V3.4.2).
      httpOnly: true,
      // Sent on top-level navigations back from the provider, not on cross-site subrequests or POSTs.
      sameSite: 'lax',
      // Only over https when the app is served over https (required by the `__Host-` name).
      secure: config.session.isSecureCookie,
      path: '/',
      maxAge: idleTimeoutMs,
    },
  });
  const extendEveryMs = Math.round(idleTimeoutMs * extendEveryShareOfIdleTimeout);
  return [expressSession, extendActiveSession(extendEveryMs, now)];
}

/**
 * Idle timeout (OWASP ASVS V3.3.2): a signed-in session's expiry, in the store and in the cookie,
 * moves to now + the idle timeout when it last moved `extendEveryMs` ago or longer. The change to
 * `extendedAt` makes express-session save the session at the end of the request. A session
 * therefore ends between (idle timeout − `extendEveryMs`) and the idle timeout after its last
 * request, never later; a session in use is written once per `extendEveryMs`, not per request.
 */
export function extendActiveSession(extendEveryMs: number, now: () => number): RequestHandler {
  return (req, _res, next) => {
    const { session } = req;
    const user = session?.user;
    // A sign-in saved the session: that counts as its first extension.
    if (user && now() - (session.extendedAt ?? user.signedInAt) >= extendEveryMs) {
      session.extendedAt = now();
    }
    next();
  };
}
