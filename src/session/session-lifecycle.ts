// The app's own session around a sign-in: express-session's callbacks as promises, and ending a
// sign-in while keeping the browser's session for a notice.
import type { Request } from 'express';
import type session from 'express-session';
import type { Logger } from 'pino';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SignOutRecord } from '../protocol.ts';
import type { TokenRecord, TokenStore } from './token-store.ts';

/** Promisifies one of express-session's callback methods. */
function settle(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/** Moves the session to a new id (its data is emptied: copy what must survive first). */
export function regenerateSession(req: Request): Promise<void> {
  return settle((done) => req.session.regenerate(done));
}

const beforeSaves = new WeakMap<Request, () => void>();

/**
 * Has `update` run before each `saveSession` of this request: what a middleware would add to the
 * session as the response ends (the /flow recorder's steps) joins the route's write instead.
 */
export function updateBeforeSave(req: Request, update: () => void): void {
  beforeSaves.set(req, update);
}

/**
 * Writes the session now. Redirects call it first: express-session would otherwise send the
 * redirect before its write finishes, and the next request could read the old session.
 */
export function saveSession(req: Request): Promise<void> {
  beforeSaves.get(req)?.();
  return settle((done) => req.session.save(done));
}

/** Ends the sign-in but keeps the session for a notice and the CSRF token (the browser signs in again). */
export async function endSignIn(
  req: Request,
  tokenStore: TokenStore,
  notice: string,
): Promise<void> {
  await tokenStore.delete(req.sessionID);
  delete req.session.user;
  delete req.session.compressedFlow;
  delete req.session.flow;
  // The CSRF token stays: a sign-out form already on screen must still work.
  req.session.notice = notice;
  // Saved now: the caller's next step is usually a redirect, which must not outrun the write.
  await saveSession(req);
}

/**
 * Revokes the record's refresh token at the provider (RFC 7009), never throwing: a failure is
 * logged and never keeps anyone signed in. When a signed-in user signs in again it is used only
 * for a record of another provider session (see flow/finish-sign-in.ts). Resolves to what became
 * of the token, for the page after a sign-out.
 */
export async function revokeRefreshTokenQuietly(
  oidc: Pick<OidcClient, 'revokeRefreshToken'>,
  record: Pick<TokenRecord, 'tokens'> | undefined,
  log: { logger: Logger; reqId: string },
): Promise<SignOutRecord['revocation']> {
  const refreshToken = record?.tokens.refreshToken;
  if (!refreshToken) return 'not-issued';
  return oidc.revokeRefreshToken(refreshToken).then(
    (isRevoked) => (isRevoked ? 'revoked' : 'no-endpoint'),
    (error: unknown) => {
      log.logger.warn({ reqId: log.reqId, err: error }, 'refresh token revocation failed');
      return 'failed' as const;
    },
  );
}

/**
 * Ends the signed-in session and gives the browser a new, anonymous one holding only how the
 * sign-out went and a notice. Why a new session: `regenerate` deletes the old row and its id, so
 * nothing of the sign-in (user, CSRF token, the key of its tokens) can come back under the cookie;
 * the new one holds no token and no user, and ends like any session, at its idle timeout. A
 * separate cookie or a query parameter could carry the outcome too, but could be forged or left
 * behind; this is the session mechanism every page already reads.
 */
export async function startSignedOutSession(
  req: Request,
  record: SignOutRecord,
  notice: string,
): Promise<void> {
  await regenerateSession(req);
  req.session.signedOut = record;
  req.session.notice = notice;
  // Saved before the redirect: the page after the provider's end-session page must find it.
  await saveSession(req);
}

/** Deletes a session row by id, as back-channel logout does for sessions of other browsers. */
export function destroyStoredSession(store: session.Store, sessionId: string): Promise<void> {
  return settle((done) => store.destroy(sessionId, done));
}
