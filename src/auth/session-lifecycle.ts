// Signing in and out of the app's own session: the session id changes at sign-in (fixation,
// OWASP ASVS V3.2.1), and tokens live in the token store under the session id.
import type { Request } from 'express';
import { ensureCsrfToken } from '../http/csrf.ts';
import type { FlowStep } from '../oidc/flow-step.ts';
import type { LoginIdentity } from '../oidc/login.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { StoredTokens, TokenRecord, TokenStore } from '../session/token-store.ts';

const maxFlowSteps = 40;

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Writes the session now. Redirects call it first: express-session would otherwise send the
 * redirect before its write finishes, and the next request could read the old session.
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((error) => (error ? reject(error) : resolve())),
  );
}

function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.destroy((error) => (error ? reject(error) : resolve())),
  );
}

/** Starts a signed-in session under a new id and stores its tokens. */
export async function signIn(
  req: Request,
  tokenStore: TokenStore,
  login: {
    identity: LoginIdentity;
    tokens: StoredTokens;
    steps: FlowStep[];
    now: number;
    ttlMs: number;
  },
): Promise<void> {
  // Kept across the new id: the notice to show, and other tabs' logins still in progress.
  const { notice, pendingLogins } = req.session;
  const previousId = req.sessionID;
  await regenerate(req);
  // The old session row is gone now, so are its tokens; the user is set only once the new tokens
  // are stored, so a store failure leaves a signed-out session, never a user without tokens.
  await tokenStore.delete(previousId);
  const { sub, name, email, sid } = login.identity;
  await tokenStore.put(
    req.sessionID,
    { tokens: login.tokens, sub, ...(sid && { sid }) },
    login.ttlMs,
  );
  if (pendingLogins && Object.keys(pendingLogins).length > 0)
    req.session.pendingLogins = pendingLogins;
  req.session.user = {
    sub,
    ...(name && { name }),
    ...(email && { email }),
    signedInAt: login.now,
  };
  req.session.flow = login.steps.slice(-maxFlowSteps);
  if (notice) req.session.notice = notice;
  ensureCsrfToken(req);
  await saveSession(req);
}

/** Adds steps (a refresh) to the signed-in user's flow. */
export function recordSteps(req: Request, steps: FlowStep[]): void {
  if (steps.length === 0 || !req.session.user) return;
  req.session.flow = [...(req.session.flow ?? []), ...steps].slice(-maxFlowSteps);
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
 * Revokes the record's refresh token at the provider (RFC 7009): an offline refresh token outlives
 * both sessions unless revoked. Best effort: a failure goes to `onError` and never keeps anyone
 * signed in. Not used when a signed-in user signs in again: the provider may have reused the grant,
 * and revoking the old token could revoke the new one with it.
 */
export async function revokeRefreshToken(
  oidc: OidcClient,
  record: TokenRecord | undefined,
  onError: (error: unknown) => void,
): Promise<void> {
  const refreshToken = record?.tokens.refreshToken;
  if (refreshToken) await oidc.revokeRefreshToken(refreshToken).catch(onError);
}

/** Deletes the tokens and the whole session (sign-out). */
export async function signOut(req: Request, tokenStore: TokenStore): Promise<void> {
  await tokenStore.delete(req.sessionID);
  await destroy(req);
}
