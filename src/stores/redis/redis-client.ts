// The Redis connection shared by the session store, the token store and the refresh lock.
// Commands and transactions fail at once while disconnected (no offline queue) and within a
// deadline when Redis keeps the connection open but stops answering: a 503 page, never a hang.
import { createClient } from 'redis';
import { messageOf, StoreError } from '../../errors.ts';

// Redis answers in well under a millisecond; three seconds of silence means it is stuck.
const deadlineMs = 3000;

function createRedisClient(url: string, isStarted: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      // At start, fail at once with the reason; once running, reconnect with backoff.
      reconnectStrategy: (retries, cause) =>
        isStarted() ? Math.min(100 * 2 ** retries, 5000) : cause,
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

export interface RedisConnection {
  /** The client; a command that fails, or gets no answer within the deadline, rejects with a StoreError. */
  client: RedisClient;
  close(): Promise<void>;
}

/** Connects, or rejects with a one-line reason when Redis cannot be reached at start. */
export async function connectRedis(
  url: string,
  onError: (error: unknown) => void,
): Promise<RedisConnection> {
  let isStarted = false;
  const raw = createRedisClient(url, () => isStarted);
  // Without a listener an 'error' event would crash the process; reconnection is automatic.
  raw.on('error', (error: unknown) => {
    if (isStarted) onError(error);
  });
  try {
    await withDeadline(raw.connect(), 5000);
    isStarted = true;
  } catch (error) {
    raw.destroy();
    const reason = messageOf(error);
    throw new Error(`Redis at ${new URL(url).host} cannot be reached (${reason}); check REDIS_URL`);
  }

  // node-redis times a command out only while it waits to be sent, not once it awaits a reply:
  // past the deadline, drop the connection (failing what is pending) and connect again.
  // Every failure leaves as a StoreError (a 503 page), whichever store or caller sent the command.
  let isReconnecting = false;
  const reconnect = () => {
    if (isReconnecting) return;
    isReconnecting = true;
    onError(new Error(`Redis did not answer within ${deadlineMs} ms; reconnecting`));
    raw.destroy();
    raw.connect().then(
      () => {
        isReconnecting = false;
      },
      (error: unknown) => {
        isReconnecting = false;
        onError(error);
      },
    );
  };
  const bounded = <T>(command: Promise<T>): Promise<T> =>
    withDeadline(command, deadlineMs).catch(storeFailure(reconnect));
  const client = new Proxy(raw, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // A transaction's commands are queued locally; its exec() is what waits for Redis.
      if (property === 'multi' || property === 'MULTI')
        return () => boundedTransaction(value.apply(target), bounded);
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? bounded(result) : result;
      };
    },
  });
  return { client, close: async () => (raw.isOpen ? raw.close() : undefined) };
}

/** The transaction with every promise it returns (exec) bounded; chained commands stay chained. */
function boundedTransaction<T extends object>(
  transaction: T,
  bounded: <R>(command: Promise<R>) => Promise<R>,
): T {
  const proxy: T = new Proxy(transaction, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result === target) return proxy;
        return result instanceof Promise ? bounded(result) : result;
      };
    },
  });
  return proxy;
}

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function storeFailure(reconnect: () => void) {
  return (error: unknown): never => {
    if (error instanceof DeadlineError) reconnect();
    throw new StoreError(error);
  };
}
