// Move 4, POST /logout: revoke the refresh token, end the app's session, then end the provider's
// session too (OpenID Connect RP-Initiated Logout 1.0). A failed revocation never keeps anyone
// signed in.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { logAuditEvent } from '../http/request-logger.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SignOutRecord } from '../protocol.ts';
import { revokeRefreshTokenQuietly, startSignedOutSession } from '../session/session-lifecycle.ts';
import type { TokenStore } from '../session/token-store.ts';

export interface SignOutOptions {
  oidc: Pick<OidcClient, 'revokeRefreshToken' | 'buildLogoutUrl'>;
  tokens: TokenStore;
  logger: Logger;
  now: () => number;
}

/** POST /logout (mount it behind the CSRF check): signs out here and at the provider. */
export function signOut(options: SignOutOptions): RequestHandler {
  const { oidc, tokens, logger } = options;
  return async (req, res) => {
    // The tokens this request already read (loadTokenRecord); the user, before the session ends.
    const record = res.locals.tokenRecord;
    const signedInSub = req.session.user?.sub;

    // 1. An offline refresh token outlives both sessions unless revoked (RFC 7009).
    const revocation = await revokeRefreshTokenQuietly(oidc, record, {
      logger,
      reqId: res.locals.requestId,
    });

    // 2. The provider's end-session URL, with the ID token as a hint of whom to sign out.
    const logoutUrl = await oidc.buildLogoutUrl(record?.tokens.idToken).catch((error: unknown) => {
      logger.warn({ reqId: res.locals.requestId, err: error }, 'no end-session URL');
      return undefined;
    });

    // 3. The app's own session ends: its tokens, then the session row. The browser gets a new,
    //    empty session that says only how this went (never a token): see startSignedOutSession.
    await tokens.delete(req.sessionID);
    const outcome: SignOutRecord = {
      at: options.now(),
      revocation,
      endSession: logoutUrl ? 'redirected' : 'not-offered',
    };
    await startSignedOutSession(req, outcome, describeSignOut(outcome).notice);

    logAuditEvent(logger, req, res, 'sign-out', { sub: signedInSub });

    // 4. 303: the browser follows a POST's redirect with a GET, to the provider or home.
    res.redirect(303, logoutUrl?.href ?? '/');
  };
}

/** How a sign-out went, in words: /flow's line for each part, and the next page's notice. */
interface SignOutWords {
  /** What became of the refresh token, after /flow's "Refresh token:". */
  refreshToken: string;
  /** What became of the provider's session, after /flow's "Provider session:". */
  providerSession: string;
  /** The page after the sign-out: the same facts in one sentence. */
  notice: string;
}

/** One outcome, worded for /flow's list (after its label) and as a clause of the notice. */
interface Wording {
  line: string;
  clause: string;
}

// Each outcome is worded here only, the two forms side by side.
const refreshTokenWords: Record<SignOutRecord['revocation'], Wording> = {
  revoked: {
    line: 'revoked at the provider (RFC 7009).',
    clause: 'your refresh token was revoked at the provider',
  },
  'not-issued': {
    line: 'none had been issued, so none to revoke.',
    clause: 'no refresh token had been issued, so there was none to revoke',
  },
  'no-endpoint': {
    line: 'not revoked: the provider has no revocation endpoint; it stays valid until it expires.',
    clause:
      'the provider has no revocation endpoint, so your refresh token stays valid until it expires',
  },
  failed: {
    line: 'revocation failed; it stays valid until it expires.',
    clause: 'revoking your refresh token failed, so it stays valid until it expires',
  },
};
const providerSessionWords: Record<SignOutRecord['endSession'], Wording> = {
  redirected: {
    line: "you were sent to the provider's end-session page to end it too.",
    clause: "you were sent to the provider's end-session page to end your session there too",
  },
  'not-offered': {
    line: 'not ended: the provider offers no end_session_endpoint.',
    clause: 'the provider offers no end-session endpoint, so your session there may still be open',
  },
};

/** What the pages tell the user about how the sign-out went, one line or clause per part. */
export function describeSignOut({ revocation, endSession }: SignOutRecord): SignOutWords {
  const refreshToken = refreshTokenWords[revocation];
  const providerSession = providerSessionWords[endSession];
  return {
    refreshToken: refreshToken.line,
    providerSession: providerSession.line,
    notice: `You are signed out: ${refreshToken.clause}; ${providerSession.clause}. Your flow page keeps these sign-out steps.`,
  };
}
