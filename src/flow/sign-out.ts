// Move 4, POST /logout: revoke the refresh token, end the app's session, then end the provider's
// session too (OpenID Connect RP-Initiated Logout 1.0). A failed revocation never keeps anyone
// signed in.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { logAuditEvent } from '../http/request-logger.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import { destroySession, revokeRefreshTokenQuietly } from '../session/session-lifecycle.ts';
import type { TokenStore } from '../session/token-store.ts';

export interface SignOutOptions {
  oidc: Pick<OidcClient, 'revokeRefreshToken' | 'buildLogoutUrl'>;
  tokens: TokenStore;
  logger: Logger;
  /** The session cookie's name (config.session.cookieName), cleared once the session ends. */
  cookieName: string;
}

/** POST /logout (mount it behind the CSRF check): signs out here and at the provider. */
export function signOut(options: SignOutOptions): RequestHandler {
  const { oidc, tokens, logger, cookieName } = options;
  return async (req, res) => {
    // The tokens this request already read (loadTokenRecord); the user, before the session ends.
    const record = res.locals.tokenRecord;
    const signedInSub = req.session.user?.sub;

    // 1. An offline refresh token outlives both sessions unless revoked (RFC 7009).
    await revokeRefreshTokenQuietly(oidc, record, { logger, reqId: res.locals.requestId });

    // 2. The provider's end-session URL, with the ID token as a hint of whom to sign out.
    const logoutUrl = await oidc.buildLogoutUrl(record?.tokens.idToken).catch((error: unknown) => {
      logger.warn({ reqId: res.locals.requestId, err: error }, 'no end-session URL');
      return undefined;
    });

    // 3. The app's own session ends: its tokens, then the session row and cookie.
    const { path, domain, secure, httpOnly, sameSite } = req.session.cookie;
    await tokens.delete(req.sessionID);
    await destroySession(req);
    // express-session sends no cookie for a destroyed session: expire it in the browser, with the
    // attributes it was set with (a `__Host-` cookie is only replaced by one that is Secure, Path=/).
    res.clearCookie(cookieName, { path, domain, secure: secure === true, httpOnly, sameSite });

    logAuditEvent(logger, req, res, 'sign-out', { sub: signedInSub });

    // 4. 303: the browser follows a POST's redirect with a GET, to the provider or home.
    res.redirect(303, logoutUrl?.href ?? '/');
  };
}
