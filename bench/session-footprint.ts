// Measurement 5a: what a session costs. Bytes of its rows in the SQLite file (the columns as
// stored, encrypted data included; page overhead and indexes left out), and the app process's
// memory growth per 1,000 sessions, after a full garbage collection on both sides.
import { DatabaseSync } from 'node:sqlite';
import { Agent } from 'undici';
import type { MemoryUsage, ServerProcess } from './server-process.ts';
import type { LoopbackAddresses } from './support.ts';

export interface RowBytes {
  /** The session row of a signed-in browser. */
  signedInSession: number;
  /** The token record beside it (tokens encrypted at rest). */
  tokenRecord: number;
  /** The session row of a browser that opened /login and has not come back. */
  pendingLogin: number;
}

export interface MemoryPerThousand {
  rssBytes: number;
  heapBytes: number;
  /** How many sessions the delta was measured over (scaled to 1,000). */
  sessions: number;
}

// Text as its UTF-8 bytes, an integer as SQLite's 8 bytes at most.
const sessionRowBytes = 'length(CAST(s.sid AS BLOB)) + length(CAST(s.data AS BLOB)) + 8';
const tokenRowBytes = `length(CAST(t.session_id AS BLOB)) + length(CAST(t.sub AS BLOB))
  + coalesce(length(CAST(t.sid AS BLOB)), 0) + length(CAST(t.data AS BLOB)) + 3 * 8`;

/** Average bytes of each kind of row in the app's SQLite file at `dbPath` (read-only). */
export function measureRowBytes(dbPath: string): RowBytes {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const signedIn = db
      .prepare(
        `SELECT avg(${sessionRowBytes}) AS session, avg(${tokenRowBytes}) AS token
         FROM sessions s JOIN tokens t ON t.session_id = s.sid`,
      )
      .get() as { session: number | null; token: number | null };
    const pending = db
      .prepare(
        `SELECT avg(${sessionRowBytes}) AS session FROM sessions s
         WHERE s.sid NOT IN (SELECT session_id FROM tokens)`,
      )
      .get() as { session: number | null };
    return {
      signedInSession: Math.round(signedIn.session ?? 0),
      tokenRecord: Math.round(signedIn.token ?? 0),
      pendingLogin: Math.round(pending.session ?? 0),
    };
  } finally {
    db.close();
  }
}

/**
 * Opens /login `count` times, each as a new browser from its own address (the sign-in rate limit
 * counts per address), 8 at a time, for at most 60 s; returns the memory growth per 1,000.
 */
export async function measurePendingLoginMemory(
  app: ServerProcess,
  addresses: LoopbackAddresses,
  count = 1000,
): Promise<MemoryPerThousand> {
  const before = await app.memory();
  const deadline = performance.now() + 60_000;
  let started = 0;
  let pending = 0;
  const worker = async () => {
    while (started < count && performance.now() < deadline) {
      started++;
      if (await openLogin(app.url, addresses.next())) pending++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return memoryPerThousand(before, await app.memory(), pending);
}

/** GET /login from `address`; true when the app answered with its redirect to the provider. */
async function openLogin(appUrl: string, address: string): Promise<boolean> {
  const agent = new Agent({ localAddress: address, headersTimeout: 10_000 });
  try {
    const response = await fetch(`${appUrl}/login`, { redirect: 'manual', dispatcher: agent });
    await response.arrayBuffer();
    return response.status === 302 || response.status === 303;
  } finally {
    await agent.close();
  }
}

/** The growth from `before` to `after`, over `sessions` sessions, scaled to 1,000. */
export function memoryPerThousand(
  before: MemoryUsage,
  after: MemoryUsage,
  sessions: number,
): MemoryPerThousand {
  const scale = sessions === 0 ? 0 : 1000 / sessions;
  return {
    rssBytes: (after.rss - before.rss) * scale,
    heapBytes: (after.heapUsed - before.heapUsed) * scale,
    sessions,
  };
}
