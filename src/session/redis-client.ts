// The Redis connection shared by the session store, the token store and the refresh lock.
// Commands fail at once while disconnected (no offline queue) and time out when Redis hangs, so a
// request gets a 503 page instead of waiting; the client reconnects by itself with backoff.
import { createClient } from 'redis';
import { StoreError } from '../errors.ts';

// A Redis that keeps the connection open but stops answering must not hold requests forever.
// node-redis times commands out only while they wait to be sent, so the socket itself times out
// when silent, and a PING keeps a healthy idle connection from looking silent.
const silenceTimeoutMs = 3000;
const pingIntervalMs = 1000;

function createRedisClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: pingIntervalMs,
    socket: {
      connectTimeout: 5000,
      socketTimeout: silenceTimeoutMs,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000),
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/** Connects, or rejects with a one-line reason when Redis cannot be reached at start. */
export async function connectRedis(
  url: string,
  onError: (error: unknown) => void,
): Promise<RedisClient> {
  const client = createRedisClient(url);
  // Without a listener an 'error' event would crash the process; reconnection is automatic.
  client.on('error', onError);
  try {
    await Promise.race([
      client.connect(),
      new Promise((_resolve, reject) =>
        setTimeout(() => reject(new Error('timed out after 5 s')), 5000).unref(),
      ),
    ]);
  } catch (error) {
    client.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Redis at ${new URL(url).host} cannot be reached (${reason}); check REDIS_URL`);
  }
  return client;
}

/** Runs a Redis command, turning any failure into a StoreError (503 page). */
export async function guard<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    throw new StoreError(error);
  }
}
