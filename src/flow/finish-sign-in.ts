// Move 2, GET /callback: check the provider's answer against the sign-in this browser started,
// exchange the code for tokens, and start a signed-in session under a new id with the tokens kept
// server-side.
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { LoginStateError } from '../errors.ts';
import { ensureCsrfToken } from '../http/csrf.ts';
import { logAuditEvent } from '../http/request-logger.ts';
import type { OidcClient, SignInWarning } from '../oidc/oidc-client.ts';
import type { Identity, PendingLogin, StoredTokens } from '../protocol.ts';
import type { SessionBackend } from '../session/session-backend.ts';
import {
  regenerateSession,
  revokeRefreshTokenQuietly,
  saveSession,
} from '../session/session-lifecycle.ts';
import type { TokenRecord, TokenStore } from '../session/token-store.ts';

export interface FinishSignInOptions {
  oidc: Pick<OidcClient, 'exchangeCode' | 'revokeRefreshToken'>;
  tokens: TokenStore;
  /** The store every instance shares: each sign-in's state is answered once, across instances. */
  rememberOnce: SessionBackend['rememberOnce'];
  logger: Logger;
  appOrigin: string;
  now: () => number;
  /** How long a token record lives: past the session's maximum age, so a late sign-out can revoke. */
  tokenTtlMs: number;
}

const maxParameterLength = 4096;

/** GET /callback?code&state (or ?error&state): finishes a sign-in and redirects to its returnTo. */
export function finishSignIn(options: FinishSignInOptions): RequestHandler {
  const loggedOnce = new Set<string>();
  return async (req, res) => {
    const now = options.now();
    const params = new URL(req.originalUrl, options.appOrigin).searchParams;

    // 1. The state must name a sign-in this browser started (RFC 6749 §10.12): login CSRF fails here.
    const state = singleParameter(params, 'state');
    const pending = await takePendingLogin(req, state, now, options.rememberOnce);
    if (pending instanceof LoginStateError) {
      logAuditEvent(options.logger, req, res, 'state-refused', {
        sub: req.session.user?.sub,
        code: pending.code,
      });
      throw pending;
    }
    // Every parameter exactly once: a repeated one could make two checks read two values.
    for (const name of new Set(params.keys())) singleParameter(params, name);

    // 2. openid-client checks the response (`error=`, `iss` per RFC 9207), sends the code with the
    //    PKCE verifier, and validates the ID token's iss, aud, exp, iat and our nonce; src/oidc
    //    verifies its signature with the provider's keys (or the client secret for HS256).
    //    A thin ID token's profile is completed from UserInfo; what went wrong there is only logged.
    const { tokens, identity, warnings } = await options.oidc.exchangeCode({
      params,
      state,
      pending,
      now,
    });
    logWarnings(options.logger, warnings, loggedOnce, {
      reqId: res.locals.requestId,
      sub: identity.sub,
    });

    // 3. A new session id for the signed-in user, the tokens stored beside it, never in the browser.
    //    An earlier sign-in's tokens in this browser are dropped, and revoked once the new sign-in
    //    is stored (revoking first could leave the browser with neither sign-in working).
    const earlier = res.locals.tokenRecord;
    const revocationLog = { logger: options.logger, reqId: res.locals.requestId };
    try {
      await startSignedInSession(req, options.tokens, {
        earlier,
        identity,
        tokens,
        state,
        now,
        ttlMs: options.tokenTtlMs,
      });
    } catch (error) {
      // The new tokens are kept nowhere: revoke them rather than leave them valid at the provider.
      await revokeRefreshTokenQuietly(options.oidc, { tokens }, revocationLog);
      throw error;
    }
    if (isOtherProviderSession(earlier, identity))
      await revokeRefreshTokenQuietly(options.oidc, earlier, revocationLog);
    logAuditEvent(options.logger, req, res, 'sign-in', { sub: identity.sub });
    res.redirect(pending.returnTo);
  };
}

/** Exactly one value of a parameter, of sane length. */
function singleParameter(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  const value = values[0];
  if (
    values.length !== 1 ||
    value === undefined ||
    value.length === 0 ||
    value.length > maxParameterLength
  ) {
    throw new LoginStateError('callback_malformed', 'The sign-in response was malformed.');
  }
  return value;
}

/**
 * Removes the pending login this callback answers (each is used once) and returns it, or the
 * refusal when the state names none, an expired one, or one another copy of this callback claimed.
 */
async function takePendingLogin(
  req: Request,
  state: string,
  now: number,
  rememberOnce: SessionBackend['rememberOnce'],
): Promise<PendingLogin | LoginStateError> {
  const logins = req.session.pendingLogins ?? {};
  const pending = Object.hasOwn(logins, state) ? logins[state] : undefined;
  if (!pending) return unknownState();
  const { [state]: _used, ...others } = logins;
  req.session.pendingLogins = others;
  if (pending.expiresAt <= now) {
    return new LoginStateError(
      'login_expired',
      'This sign-in took too long and has expired. Please start again.',
    );
  }
  // Copies of one callback sent together each find the pending login in their own copy of the
  // session, and the sign-in limits let them all through: the state is claimed in the store every
  // instance shares, so only the first copy's code reaches the token endpoint.
  if (!(await rememberOnce(`state:${state}`, pending.expiresAt - now))) return unknownState();
  return pending;
}

function unknownState(): LoginStateError {
  return new LoginStateError(
    'unknown_state',
    'This sign-in was not started in this browser, or it was already completed.',
  );
}

/**
 * Logs what the sign-in survived (UserInfo failed, no refresh token issued); a warning about a
 * setting, the same at every sign-in, only the first time (`loggedOnce` lives as long as the app).
 */
function logWarnings(
  logger: Logger,
  warnings: SignInWarning[],
  loggedOnce: Set<string>,
  context: { reqId: string; sub: string },
): void {
  for (const { code, message, isOncePerProcess, cause } of warnings) {
    if (isOncePerProcess && loggedOnce.has(code)) continue;
    if (isOncePerProcess) loggedOnce.add(code);
    logger.warn({ code, ...context, ...(cause !== undefined && { err: cause }) }, message);
  }
}

/**
 * Starts the signed-in session under a new id (session fixation, OWASP ASVS V3.2.1) and stores
 * its tokens under that id. The user is set only once the tokens are stored, so a store failure
 * leaves a signed-out session, never a user without tokens.
 */
async function startSignedInSession(
  req: Request,
  tokenStore: TokenStore,
  signIn: {
    earlier: TokenRecord | undefined;
    identity: Identity;
    tokens: StoredTokens;
    state: string;
    now: number;
    ttlMs: number;
  },
): Promise<void> {
  const previousId = req.sessionID;
  // Kept across the new id: the notice to show (the /flow recorder carries this sign-in's steps
  // itself). Every other pending login is dropped: one planted in the pre-login session (a cookie
  // set over http, or without the __Host- prefix) would otherwise let a link to its callback
  // switch the signed-in user into the attacker's account.
  const { notice } = req.session;
  await regenerateSession(req);
  // Only a signed-in browser has a token record to drop: a first sign-in writes no delete.
  if (signIn.earlier) await tokenStore.delete(previousId);
  const { sub, name, email, sid } = signIn.identity;
  await tokenStore.put(
    req.sessionID,
    { tokens: signIn.tokens, sub, ...(sid && { sid }), signedInAt: signIn.now },
    signIn.ttlMs,
  );

  if (notice) req.session.notice = notice;
  req.session.user = {
    sub,
    ...(name && { name }),
    ...(email && { email }),
    signedInAt: signIn.now,
  };
  ensureCsrfToken(req);
  // Saved before the redirect: the next page must find the user signed in.
  await saveSession(req);
}

/**
 * Whether the earlier sign-in this one replaces belongs to another provider session (the ID
 * tokens' `sid` differ): only then is its refresh token revoked (RFC 7009). Within one provider
 * session a provider may reuse the grant (oidc-provider does), and revoking the old token would end
 * the new sign-in too; without a `sid` on both sides there is no telling, so nothing is revoked.
 */
function isOtherProviderSession(earlier: TokenRecord | undefined, identity: Identity): boolean {
  return earlier?.sid !== undefined && identity.sid !== undefined && earlier.sid !== identity.sid;
}
