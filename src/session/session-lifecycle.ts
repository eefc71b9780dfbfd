// The app's own session around a sign-in: express-session's callbacks as promises, and ending a
// sign-in while keeping the browser's session for a notice.
import type { Request } from 'express';
import type session from 'express-session';
import type { Logger } from 'pino';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { TokenRecord, TokenStore } from './token-store.ts';

/** Promisifies one of express-session's callback methods. */
function settle(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/** Moves the session to a new id (its data is emptied: copy what must survive first). */
export function regenerateSession(req: Request): Promise<void> {
  return settle((done) => req.session.regenerate(done));
}

/**
 * Writes the session now. Redirects call it first: express-session would otherwise send the
 * redirect before its write finishes, and the next request could read the old session.
 */
export function saveSession(req: Request): Promise<void> {
  return settle((done) => req.session.save(done));
}

/** Deletes the session row; the browser's cookie then names nothing. */
export function destroySession(req: Request): Promise<void> {
  return settle((done) => req.session.destroy(done));
}

/** Ends the sign-in but keeps the session for a notice and the CSRF token (the browser signs in again). */
export async function endSignIn(
  req: Request,
  tokenStore: TokenStore,
  notice: string,
): Promise<void> {
  await tokenStore.delete(req.sessionID);
  delete req.session.user;
  delete req.session.flow;
  // The CSRF token stays: a sign-out form already on screen must still work.
  req.session.notice = notice;
  // Saved now: the caller's next step is usually a redirect, which must not outrun the write.
  await saveSession(req);
}

/**
 * Revokes the record's refresh token at the provider (RFC 7009), never throwing: a failure is
 * logged and never keeps anyone signed in. When a signed-in user signs in again it is used only
 * for a record of another provider session (see flow/finish-sign-in.ts).
 */
export async function revokeRefreshTokenQuietly(
  oidc: Pick<OidcClient, 'revokeRefreshToken'>,
  record: Pick<TokenRecord, 'tokens'> | undefined,
  log: { logger: Logger; reqId: string },
): Promise<void> {
  const refreshToken = record?.tokens.refreshToken;
  if (!refreshToken) return;
  await oidc.revokeRefreshToken(refreshToken).catch((error: unknown) => {
    log.logger.warn({ reqId: log.reqId, err: error }, 'refresh token revocation failed');
  });
}

/** Deletes a session row by id, as back-channel logout does for sessions of other browsers. */
export function destroyStoredSession(store: session.Store, sessionId: string): Promise<void> {
  return settle((done) => store.destroy(sessionId, done));
}
