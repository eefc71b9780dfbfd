// What the home page may say about the tokens: expiry and presence, never a value.
import type { StoredTokens } from '../protocol.ts';

export interface TokenStatus {
  expiresAt?: string;
  /** Negative once expired. */
  expiresInSeconds?: number;
  isExpired: boolean;
  hasRefreshToken: boolean;
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
    ...(tokens.scope && { scope: tokens.scope }),
  };
}
