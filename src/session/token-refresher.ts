// Hands out an access token that is good for a while yet, refreshing it first when needed: once per
// session at a time, written back with compare-and-set, so a stale copy never overwrites newer tokens.
import { TokenRefreshError } from '../errors.ts';
import type { FlowStep } from '../oidc/flow-step.ts';
import type { RefreshLock } from './refresh-lock.ts';
import type { StoredTokens, TokenRecord, TokenStore } from './token-store.ts';

export interface TokenRefresherOptions {
  tokens: TokenStore;
  lock: RefreshLock;
  refresh: (
    tokens: StoredTokens,
    now: number,
    subject: string,
  ) => Promise<{ tokens: StoredTokens; steps: FlowStep[] }>;
  now: () => number;
  skewMs: number;
}

/** The tokens to use; `steps` holds the refresh exchanges when this call (or the one it joined) refreshed. */
export interface FreshTokens {
  record: TokenRecord;
  wasRefreshed: boolean;
  steps: FlowStep[];
}

export interface TokenRefresher {
  /**
   * The session's tokens, refreshed first when they expire within the skew, or when
   * `rejectedVersion` names the version the API just refused. Undefined: signed out.
   * Rejects with TokenRefreshError when the refresh token is no longer good (tokens then deleted),
   * or with a ProviderError when the provider cannot be reached (tokens kept for the next try).
   */
  getFreshTokens(
    sessionId: string,
    options?: { rejectedVersion?: number; current?: TokenRecord },
  ): Promise<FreshTokens | undefined>;
}

/** Creates the refresher over a token store, a lock and the provider's refresh call. */
export function createTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  const { tokens, lock, now, skewMs } = options;

  function isGood(record: TokenRecord, rejectedVersion: number | undefined): boolean {
    if (rejectedVersion !== undefined && record.version <= rejectedVersion) return false;
    const { expiresAt, issuedAt } = record.tokens;
    if (expiresAt === undefined) return true;
    // Never before half the token's life: a skew longer than a short-lived token would
    // otherwise refresh on every request.
    const skew = issuedAt === undefined ? skewMs : Math.min(skewMs, (expiresAt - issuedAt) / 2);
    return expiresAt - skew > now();
  }

  async function refreshOnce(
    sessionId: string,
    rejectedVersion: number | undefined,
  ): Promise<FreshTokens | undefined> {
    // Read again inside the lock: another request (or instance) may have refreshed meanwhile.
    const current = await tokens.get(sessionId);
    if (!current) return undefined;
    if (isGood(current, rejectedVersion)) return { record: current, wasRefreshed: true, steps: [] };
    try {
      const refreshed = await options.refresh(current.tokens, now(), current.sub);
      const stored = await tokens.replace(sessionId, current.version, refreshed.tokens);
      if (stored) return { record: stored, wasRefreshed: true, steps: refreshed.steps };
      const latest = await tokens.get(sessionId);
      return latest && { record: latest, wasRefreshed: true, steps: [] };
    } catch (error) {
      if (!(error instanceof TokenRefreshError)) throw error;
      // invalid_grant: maybe another instance rotated the token first; only its absence is final.
      const latest = await tokens.get(sessionId);
      if (latest && latest.version !== current.version && isGood(latest, undefined)) {
        return { record: latest, wasRefreshed: true, steps: [] };
      }
      await tokens.delete(sessionId);
      throw error;
    }
  }

  return {
    async getFreshTokens(sessionId, { rejectedVersion, current } = {}) {
      const record = current ?? (await tokens.get(sessionId));
      if (!record) return undefined;
      if (isGood(record, rejectedVersion)) return { record, wasRefreshed: false, steps: [] };
      // Callers share the run going for this session, whatever version each saw refused: a run
      // started for another caller may hand back the very token the API refused us. Then run
      // again; our own run's answer is final (it refreshed, or found a record good for us).
      for (;;) {
        let isOwnRun = false;
        const fresh = await lock.run(`refresh:${sessionId}`, () => {
          isOwnRun = true;
          return refreshOnce(sessionId, rejectedVersion);
        });
        if (isOwnRun || !fresh || isGood(fresh.record, rejectedVersion)) return fresh;
      }
    },
  };
}
