// Runs a test against either store: SQLite (a file in the test's folder) or a real redis-server
// started for the test. `rawContent` reads everything the store holds, for at-rest checks.
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { createClient } from 'redis';
import { startRedisServer } from './redis-server.ts';
import type { TestApp } from './test-app.ts';

export type StoreName = 'sqlite' | 'redis';

export interface StoreUnderTest {
  /** Environment to pass to startTestApp. */
  env: Record<string, string>;
  /** Every byte the store holds for `app`, as text. */
  rawContent(app: TestApp): Promise<string>;
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
    };
  }
  const redis = await startRedisServer(t);
  return {
    env: { SESSION_STORE: 'redis', REDIS_URL: redis.url },
    async rawContent() {
      const client = createClient({ url: redis.url });
      await client.connect();
      const dump: string[] = [];
      for (const key of await client.keys('*')) {
        const type = await client.type(key);
        if (type === 'string') dump.push(String(await client.get(key)));
        if (type === 'hash') dump.push(JSON.stringify(await client.hGetAll(key)));
        if (type === 'set') dump.push(JSON.stringify(await client.sMembers(key)));
      }
      await client.close();
      return dump.join('\n');
    },
  };
}
