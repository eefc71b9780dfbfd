// Runs a test against either store: SQLite (a file in the test's folder) or a real redis-server
// started for the test. `rawContent` reads everything the store holds, for at-rest checks; the
// token-record helpers act on the stored rows directly, as someone with access to the store could.
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { createClient } from 'redis';
import { startRedisServer } from './redis-server.ts';
import { readTokenRow, withDatabase } from './sqlite-rows.ts';
import type { TestApp } from './test-app.ts';

export type StoreName = 'sqlite' | 'redis';

export interface StoreUnderTest {
  /** Environment to pass to startTestApp. */
  env: Record<string, string>;
  /** Every byte the store holds for `app`, as text. */
  rawContent(app: TestApp): Promise<string>;
  /** The stored text of a session's token record (its encoded tokens), or undefined. */
  tokenRecordData(app: TestApp, sessionId: string): Promise<string | undefined>;
  /** Copies a session's token record as stored (data, sub, sid, version) onto another session. */
  copyTokenRecord(app: TestApp, fromSessionId: string, toSessionId: string): Promise<void>;
  /** Copies a session's row (express-session's data) as stored over another session's. */
  copySession(app: TestApp, fromSessionId: string, toSessionId: string): Promise<void>;
}

export async function useStore(t: TestContext, store: StoreName): Promise<StoreUnderTest> {
  if (store === 'sqlite') {
    return {
      env: {},
      async rawContent(app) {
        const files = [app.dbPath, `${app.dbPath}-wal`];
        const contents = await Promise.all(
          files.map((file) => readFile(file).catch(() => Buffer.alloc(0))),
        );
        return contents.map((content) => content.toString('latin1')).join('\n');
      },
      async tokenRecordData(app, sessionId) {
        return readTokenRow(app.dbPath, sessionId)?.data;
      },
      async copyTokenRecord(app, fromSessionId, toSessionId) {
        withDatabase(
          app.dbPath,
          (db) =>
            db
              .prepare(
                `INSERT OR REPLACE INTO tokens (session_id, sub, sid, version, data, expires_at)
                 SELECT ?, sub, sid, version, data, expires_at FROM tokens WHERE session_id = ?`,
              )
              .run(toSessionId, fromSessionId),
          'write',
        );
      },
      async copySession(app, fromSessionId, toSessionId) {
        withDatabase(
          app.dbPath,
          (db) =>
            db
              .prepare(
                'UPDATE sessions SET data = (SELECT data FROM sessions WHERE sid = ?) WHERE sid = ?',
              )
              .run(fromSessionId, toSessionId),
          'write',
        );
      },
    };
  }
  const redis = await startRedisServer(t);
  const withClient = async <T>(work: (client: RedisTestClient) => Promise<T>) => {
    const client = createTestClient(redis.url);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  };
  const tokenKey = (sessionId: string) => `oer:tokens:${sessionId}`;
  return {
    env: { SESSION_STORE: 'redis', REDIS_URL: redis.url },
    rawContent: () =>
      withClient(async (client) => {
        const dump: string[] = [];
        for (const key of await client.keys('*')) {
          const type = await client.type(key);
          if (type === 'string') dump.push(String(await client.get(key)));
          if (type === 'hash') dump.push(JSON.stringify(await client.hGetAll(key)));
          if (type === 'set') dump.push(JSON.stringify(await client.sMembers(key)));
        }
        return dump.join('\n');
      }),
    tokenRecordData: (_app, sessionId) =>
      withClient(async (client) => (await client.hGet(tokenKey(sessionId), 'data')) ?? undefined),
    copyTokenRecord: (_app, fromSessionId, toSessionId) =>
      withClient(async (client) => {
        const fields = await client.hGetAll(tokenKey(fromSessionId));
        await client.multi().del(tokenKey(toSessionId)).hSet(tokenKey(toSessionId), fields).exec();
      }),
    copySession: (_app, fromSessionId, toSessionId) =>
      withClient(async (client) => {
        const data = await client.get(`oer:sess:${fromSessionId}`);
        if (data) await client.set(`oer:sess:${toSessionId}`, data, { KEEPTTL: true });
      }),
  };
}

function createTestClient(url: string) {
  return createClient({ url });
}

type RedisTestClient = ReturnType<typeof createTestClient>;
