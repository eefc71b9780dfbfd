import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Logger } from 'pino';
import type { LogoutSubject } from '../../src/protocol.ts';
import { createExpiredTokenRevoker } from '../../src/session/revoke-expired-tokens.ts';
import type { ExpiredTokenRecord } from '../../src/session/session-backend.ts';
import type { TokenStore } from '../../src/session/token-store.ts';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

/** Collects log calls as [level, fields, message]. */
function recordingLogger() {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  return {
    lines,
    logger: {
      info: (fields: Record<string, unknown>, message: string) =>
        lines.push(['info', fields, message]),
      warn: (fields: Record<string, unknown>, message: string) =>
        lines.push(['warn', fields, message]),
    } as unknown as Pick<Logger, 'info' | 'warn'>,
  };
}

const HOUR = 60 * 60 * 1000;

/**
 * A real token store (SQLite in memory, closed after the test) holding one live record for each
 * of `live`: the revoker's findSessions runs the store's own query.
 */
async function storeWithLive(t: TestContext, live: LogoutSubject[] = []): Promise<TokenStore> {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  for (const [index, { sub, sid }] of live.entries()) {
    await store.tokenStore.put(
      `live-${index}`,
      {
        tokens: { accessToken: `live-${index}`, tokenType: 'Bearer' },
        sub: sub ?? `live-user-${index}`,
        ...(sid && { sid }),
        signedInAt: Date.now(),
      },
      HOUR,
    );
  }
  return store.tokenStore;
}

function expired(index: number, extra: Partial<ExpiredTokenRecord> = {}): ExpiredTokenRecord {
  return {
    tokens: { accessToken: `a${index}`, tokenType: 'Bearer', refreshToken: `rt-${index}` },
    sub: `user-${index}`,
    sid: `sid-${index}`,
    ...extra,
  };
}

describe('createExpiredTokenRevoker', () => {
  it('revokes every refresh token, never more than `concurrency` requests at once', async (t) => {
    const records = Array.from({ length: 25 }, (_, index) => expired(index));
    let inFlight = 0;
    let mostInFlight = 0;
    const revoked: string[] = [];
    const oidc = {
      async revokeRefreshToken(token: string) {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        revoked.push(token);
        return true;
      },
    };
    const { logger, lines } = recordingLogger();
    const revoke = createExpiredTokenRevoker({ oidc, logger, concurrency: 4 });

    await revoke({ records, unreadable: 0 }, await storeWithLive(t));

    assert.equal(mostInFlight, 4);
    assert.deepEqual(revoked.sort(), records.map((r) => r.tokens.refreshToken).sort());
    assert.deepEqual(
      lines.map(([level, fields]) => [level, fields.revoked, fields.expired]),
      [['info', 25, 25]],
    );
  });

  it('never rejects: failed revocations and a store that fails are counted and logged once, without tokens', async (t) => {
    const records = [expired(1), expired(2), expired(3, { sid: 'store-down' })];
    const oidc = {
      async revokeRefreshToken(token: string): Promise<boolean> {
        if (token === 'rt-1') throw new Error('provider answered 502');
        return true;
      },
    };
    const store = await storeWithLive(t);
    // The real store, failing for one record's query as an unreachable store would.
    const tokens: TokenStore = {
      ...store,
      findSessions: (query) =>
        query.sid === 'store-down'
          ? Promise.reject(new Error('store unreachable'))
          : store.findSessions(query),
    };
    const { logger, lines } = recordingLogger();
    const revoke = createExpiredTokenRevoker({ oidc, logger });

    await revoke({ records, unreadable: 2 }, tokens);

    assert.equal(lines.length, 1);
    const [level, fields] = lines[0] ?? [];
    assert.equal(level, 'warn');
    assert.deepEqual(
      { ...fields, err: undefined },
      {
        expired: 5,
        unreadable: 2,
        revoked: 1,
        failed: 2,
        withoutRefreshToken: 0,
        sharedProviderSession: 0,
        noRevocationEndpoint: 0,
        err: undefined,
      },
    );
    assert.doesNotMatch(JSON.stringify(lines), /rt-\d/);
  });

  it('keeps a refresh token while a live record shares its provider session, or its user when there is no sid', async (t) => {
    const records = [
      expired(1),
      expired(2, { sid: 'shared' }),
      expired(3, { sid: undefined, sub: 'returning-user' }),
      expired(4, { tokens: { accessToken: 'a4', tokenType: 'Bearer' } }),
    ];
    const revoked: string[] = [];
    const oidc = {
      revokeRefreshToken: async (token: string) => Boolean(revoked.push(token)),
    };
    const { logger, lines } = recordingLogger();
    const revoke = createExpiredTokenRevoker({ oidc, logger });

    await revoke(
      { records, unreadable: 0 },
      await storeWithLive(t, [{ sid: 'shared' }, { sub: 'returning-user' }]),
    );

    assert.deepEqual(revoked, ['rt-1']);
    assert.equal(lines[0]?.[1].sharedProviderSession, 2);
    assert.equal(lines[0]?.[1].withoutRefreshToken, 1);
  });
});
