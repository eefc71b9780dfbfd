// What the home page may say about the tokens: expiry and presence, never a value.
import type { StoredTokens } from '../protocol.ts';

export interface TokenStatus {
  expiresAt?: string;
  /** Negative once expired. */
  expiresInSeconds?: number;
  isExpired: boolean;
  hasRefreshToken: boolean;
  /** What happens once the access token has expired; the session itself is still signed in. */
  afterExpiry: string;
  scope?: string;
}

/** Describes tokens for display. */
export function describeTokens(tokens: StoredTokens, now: number): TokenStatus {
  const { expiresAt } = tokens;
  return {
    ...(expiresAt !== undefined && {
      expiresAt: new Date(expiresAt).toISOString(),
      expiresInSeconds: Math.round((expiresAt - now) / 1000),
    }),
    isExpired: expiresAt !== undefined && expiresAt <= now,
    hasRefreshToken: tokens.refreshToken !== undefined,
    // What the next GET /resource does (src/flow/call-protected-api.ts): refresh, or without a
    // refresh token a TokenRefreshError, which sends the browser to sign in again.
    afterExpiry:
      tokens.refreshToken !== undefined
        ? 'renewed on the next API call'
        : 'so the next API call sends you to sign in again',
    ...(tokens.scope && { scope: tokens.scope }),
  };
}
