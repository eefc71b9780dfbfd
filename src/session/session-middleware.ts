// express-session with the cookie settings this app relies on; each with its reason.
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { AppConfig } from '../config/app-config.ts';
import { WriteOnceStore } from './write-once-store.ts';

/**
 * The session middleware: a signed id cookie in the browser, everything else in `store`. Errors
 * pass through as they are: the stores report an outage as a StoreError (a 503 page) themselves,
 * and express-session's own failures (a cookie it cannot write) are bugs, a 500.
 */
export function createSessionMiddleware(config: AppConfig, store: session.Store): RequestHandler {
  return session({
    name: config.session.cookieName,
    // Several secrets rotate: the first signs, all verify.
    secret: config.session.secrets,
    // A route's save before its redirect is the request's one write (express-session would write
    // a regenerated session again as the response ends).
    store: new WriteOnceStore(store),
    // Only sessions that hold something get a cookie and a row (no empty sessions for crawlers).
    saveUninitialized: false,
    // A request that did not change the session does not write it back over a newer copy.
    resave: false,
    // Idle timeout: every request pushes the expiry forward; a session unused this long ends.
    rolling: true,
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
      maxAge: config.session.idleTimeoutMs,
    },
  });
}
