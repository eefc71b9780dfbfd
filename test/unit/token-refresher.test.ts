import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ProviderError, TokenRefreshError } from '../../src/errors.ts';
import {
  createTokenRefresher,
  type TokenRefresher,
  type TokenRefresherOptions,
} from '../../src/flow/call-protected-api.ts';
import type { StoredTokens } from '../../src/protocol.ts';
import { createRefreshLock, type RefreshLock } from '../../src/session/refresh-lock.ts';
import type { TokenRecord } from '../../src/session/token-store.ts';
import { openSqliteStore, type SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const SKEW = MINUTE;
const SESSION = 'session-1';
const START = Date.UTC(2025, 0, 1);

function tokensExpiringAt(expiresAt: number | undefined, accessToken = 'access-0'): StoredTokens {
  return {
    accessToken,
    tokenType: 'Bearer',
    refreshToken: `refresh-of-${accessToken}`,
    ...(expiresAt !== undefined && { expiresAt }),
  };
}

interface Harness {
  store: SqliteStore;
  refresher: TokenRefresher;
  now(): number;
  /** How many times the stand-in provider was asked to refresh. */
  calls(): number;
  /** The refresh tokens the stand-in provider received. */
  spent: (string | undefined)[];
  /** The clock's time handed to each refresh. */
  refreshedAt: number[];
  /** Stores version 1 of the session's tokens, expiring `expiresInMs` from now. */
  signIn(expiresInMs: number | undefined): Promise<void>;
}

/**
 * A refresher over a real SQLite token store and the real refresh lock (on its lock records). Its `refresh` stands
 * in for the provider: it counts calls, answers after a short delay, and runs `during` before
 * answering (to fail, or to let another writer in).
 */
function build(
  t: TestContext,
  during?: (call: number) => Promise<void>,
  wrapLock: (lock: RefreshLock) => RefreshLock = (lock) => lock,
): Harness {
  const now = (): number => START;
  const store = openSqliteStore({ path: ':memory:', now });
  t.after(() => store.close());
  const lock = wrapLock(createRefreshLock(store.lockRecords, { ttlMs: MINUTE, waitMs: MINUTE }));
  let calls = 0;
  const spent: (string | undefined)[] = [];
  const refreshedAt: number[] = [];
  const refresh: TokenRefresherOptions['refresh'] = async (tokens, at) => {
    calls += 1;
    const call = calls;
    spent.push(tokens.refreshToken);
    refreshedAt.push(at);
    await delay(10);
    await during?.(call);
    return tokensExpiringAt(at + HOUR, `access-${call}`);
  };
  const refresher = createTokenRefresher({
    tokens: store.tokenStore,
    lock,
    refresh,
    now,
    skewMs: SKEW,
  });
  return {
    store,
    refresher,
    now,
    calls: () => calls,
    spent,
    refreshedAt,
    async signIn(expiresInMs) {
      const expiresAt = expiresInMs === undefined ? undefined : now() + expiresInMs;
      await store.tokenStore.put(
        SESSION,
        { tokens: tokensExpiringAt(expiresAt), sub: 'alice', signedInAt: now() },
        8 * HOUR,
      );
    },
  };
}

describe('createTokenRefresher', () => {
  it('returns fresh tokens without refreshing them', async (t) => {
    const harness = build(t);
    await harness.signIn(10 * MINUTE);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 0);
    assert.equal(fresh?.wasRefreshed, false);
    assert.equal(fresh?.record.version, 1);
    assert.equal(fresh?.record.tokens.accessToken, 'access-0');
  });

  it('never refreshes tokens without an expiry', async (t) => {
    const harness = build(t);
    await harness.signIn(undefined);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 0);
    assert.equal(fresh?.record.tokens.accessToken, 'access-0');
  });

  it('refreshes tokens that expire within the skew, and bumps the version', async (t) => {
    const harness = build(t);
    await harness.signIn(30 * SECOND);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 1);
    assert.deepEqual(harness.spent, ['refresh-of-access-0']);
    assert.equal(fresh?.wasRefreshed, true);
    assert.equal(fresh?.record.version, 2);
    assert.equal(fresh?.record.tokens.accessToken, 'access-1');
    assert.deepEqual(harness.refreshedAt, [harness.now()]);
    const stored = await harness.store.tokenStore.get(SESSION);
    assert.equal(stored?.version, 2);
    assert.equal(stored?.tokens.accessToken, 'access-1');
  });

  it('refreshes tokens that expire exactly one skew from now', async (t) => {
    const harness = build(t);
    await harness.signIn(SKEW);

    await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 1);
  });

  it('never refreshes a short-lived token before half its life, whatever the skew', async (t) => {
    const harness = build(t);
    const lifetime = SKEW; // a token that lives no longer than the skew
    await harness.store.tokenStore.put(
      SESSION,
      {
        tokens: {
          ...tokensExpiringAt(harness.now() + lifetime / 2 + 1),
          issuedAt: harness.now() - lifetime / 2 + 1,
        },
        sub: 'alice',
        signedInAt: harness.now(),
      },
      8 * HOUR,
    );

    await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 0, 'just under half-way: not yet');
  });

  it('refreshes a short-lived token once half its life has passed', async (t) => {
    const harness = build(t);
    const lifetime = SKEW;
    await harness.store.tokenStore.put(
      SESSION,
      {
        tokens: {
          ...tokensExpiringAt(harness.now() + lifetime / 2),
          issuedAt: harness.now() - lifetime / 2,
        },
        sub: 'alice',
        signedInAt: harness.now(),
      },
      8 * HOUR,
    );

    await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 1);
  });

  it('does not refresh tokens that expire one millisecond after the skew', async (t) => {
    const harness = build(t);
    await harness.signIn(SKEW + 1);

    await harness.refresher.getFreshTokens(SESSION);

    assert.equal(harness.calls(), 0);
  });

  it('refreshes once for 10 concurrent requests and gives all of them the new token', async (t) => {
    const harness = build(t);
    await harness.signIn(30 * SECOND);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => harness.refresher.getFreshTokens(SESSION)),
    );

    assert.equal(harness.calls(), 1);
    assert.deepEqual(
      results.map((fresh) => [fresh?.record.tokens.accessToken, fresh?.record.version]),
      Array.from({ length: 10 }, () => ['access-1', 2]),
    );
  });

  it('refreshes once when the API rejected the current version, though it is not expiring', async (t) => {
    const harness = build(t);
    await harness.signIn(HOUR);

    const fresh = await harness.refresher.getFreshTokens(SESSION, { rejectedVersion: 1 });

    assert.equal(harness.calls(), 1);
    assert.equal(fresh?.record.version, 2);
    assert.equal(fresh?.record.tokens.accessToken, 'access-1');
  });

  it('does not refresh for a rejected version when a newer version is stored', async (t) => {
    const harness = build(t);
    await harness.signIn(HOUR);
    await harness.store.tokenStore.replace(
      SESSION,
      1,
      tokensExpiringAt(harness.now() + HOUR, 'access-from-another-request'),
    );

    const fresh = await harness.refresher.getFreshTokens(SESSION, { rejectedVersion: 1 });

    assert.equal(harness.calls(), 0);
    assert.equal(fresh?.record.version, 2);
    assert.equal(fresh?.record.tokens.accessToken, 'access-from-another-request');
  });

  it('refreshes when the runs it joined, started for other callers, hand back the token the API refused', async (t) => {
    // The refresh lock, with one more request arriving just as the first run ends. Like the
    // first, it read its tokens before they were last refreshed, so its run refreshes nothing.
    let arriveAsRunEnds: (() => void) | undefined;
    const harness = build(t, undefined, (lock) => ({
      run(key, work, isUsable) {
        const running = lock.run(key, work, isUsable);
        if (arriveAsRunEnds) running.then(arriveAsRunEnds, () => undefined);
        arriveAsRunEnds = undefined;
        return running;
      },
    }));
    await harness.signIn(30 * SECOND);
    const stale: TokenRecord = {
      tokens: tokensExpiringAt(harness.now() + 30 * SECOND),
      version: 1,
      sub: 'alice',
      signedInAt: harness.now(),
    };
    const refused = tokensExpiringAt(harness.now() + HOUR, 'access-the-api-refused');
    await harness.store.tokenStore.replace(SESSION, 1, refused);
    const withStale = () => harness.refresher.getFreshTokens(SESSION, { current: stale });
    let lateArrival: Promise<unknown> | undefined;
    arriveAsRunEnds = () => {
      lateArrival = withStale();
    };

    const [, fresh] = await Promise.all([
      withStale(),
      harness.refresher.getFreshTokens(SESSION, {
        current: { tokens: refused, version: 2, sub: 'alice', signedInAt: harness.now() },
        rejectedVersion: 2,
      }),
    ]);
    await lateArrival;

    assert.equal(fresh?.record.version, 3, 'not the version the API refused');
    assert.equal(fresh?.record.tokens.accessToken, 'access-1');
    assert.equal(harness.calls(), 1);
  });

  it('deletes the record and rethrows when the refresh token is no longer good', async (t) => {
    const refused = new TokenRefreshError('refresh_failed', 'Please sign in again.');
    const harness = build(t, async () => {
      throw refused;
    });
    await harness.signIn(30 * SECOND);

    const result = harness.refresher.getFreshTokens(SESSION);

    await assert.rejects(result, (error) => error === refused);
    assert.equal(await harness.store.tokenStore.get(SESSION), undefined);
  });

  it('returns the good tokens another writer stored while its own refresh was refused', async (t) => {
    const harness = build(t, async () => {
      await harness.store.tokenStore.replace(
        SESSION,
        1,
        tokensExpiringAt(harness.now() + HOUR, 'access-from-another-instance'),
      );
      throw new TokenRefreshError('refresh_failed', 'Please sign in again.');
    });
    await harness.signIn(30 * SECOND);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(fresh?.record.version, 2);
    assert.equal(fresh?.record.tokens.accessToken, 'access-from-another-instance');
    const stored = await harness.store.tokenStore.get(SESSION);
    assert.equal(stored?.tokens.accessToken, 'access-from-another-instance');
  });

  it('deletes the record when the tokens another writer stored are expiring too', async (t) => {
    const harness = build(t, async () => {
      await harness.store.tokenStore.replace(
        SESSION,
        1,
        tokensExpiringAt(harness.now() + 10 * SECOND, 'access-also-expiring'),
      );
      throw new TokenRefreshError('refresh_failed', 'Please sign in again.');
    });
    await harness.signIn(30 * SECOND);

    const result = harness.refresher.getFreshTokens(SESSION);

    await assert.rejects(result, TokenRefreshError);
    assert.equal(await harness.store.tokenStore.get(SESSION), undefined);
  });

  it('keeps the tokens another writer stored when its own refresh lost the race', async (t) => {
    const harness = build(t, async (call) => {
      if (call === 1) {
        await harness.store.tokenStore.replace(
          SESSION,
          1,
          tokensExpiringAt(harness.now() + HOUR, 'access-from-another-instance'),
        );
      }
    });
    await harness.signIn(30 * SECOND);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(fresh?.record.version, 2);
    assert.equal(fresh?.record.tokens.accessToken, 'access-from-another-instance');
    assert.deepEqual(
      fresh?.record,
      await harness.store.tokenStore.get(SESSION),
      "the other writer's record, whole",
    );
  });

  it('keeps the record when the provider cannot be reached, and retries on the next call', async (t) => {
    const harness = build(t, async (call) => {
      if (call === 1) throw new ProviderError(503, 'provider_unreachable', 'Down', 'Down.');
    });
    await harness.signIn(30 * SECOND);

    const first = await harness.refresher.getFreshTokens(SESSION).catch((error: unknown) => error);
    const kept = await harness.store.tokenStore.get(SESSION);
    const second = await harness.refresher.getFreshTokens(SESSION);

    assert.ok(first instanceof ProviderError);
    assert.equal(kept?.version, 1);
    assert.equal(kept?.tokens.accessToken, 'access-0');
    assert.equal(harness.calls(), 2);
    assert.equal(second?.record.tokens.accessToken, 'access-2');
  });

  it('returns undefined for a session without tokens', async (t) => {
    const harness = build(t);

    const fresh = await harness.refresher.getFreshTokens(SESSION);

    assert.equal(fresh, undefined);
    assert.equal(harness.calls(), 0);
  });
});
