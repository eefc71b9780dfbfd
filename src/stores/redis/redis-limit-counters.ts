// The sign-in limits' counters on Redis, shared by every instance: rate-limit-redis (a Lua script
// that increments a key and sets its expiry once), sent through the app's client with its deadline.
import type { Options, Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { StoreError } from '../../errors.ts';
import type { RedisClient } from './redis-client.ts';

/** What the counting scripts answer: numbers and strings (node-redis types raw replies loosely). */
type ScriptReply = number | string | Array<number | string>;

/** Counters under `oer:limit:<name>:`, each key expiring with its window. */
export function redisLimitCounters(client: RedisClient, name: string): Store {
  const counters = new RedisStore({
    prefix: `oer:limit:${name}:`,
    sendCommand: (...args: string[]) =>
      client.sendCommand(args).then(
        (reply) => reply as unknown as ScriptReply,
        (error: unknown) => {
          throw noScriptInside(error) ?? error;
        },
      ),
  });
  // rate-limit-redis loads its scripts once, when express-rate-limit starts the store, and keeps
  // that promise: had Redis not answered then (a failover while the app started), every count
  // would fail with that old error, and every sign-in get a 503, until a restart. A failed load is
  // tried again by the next count instead.
  let options: Options | undefined;
  // The load in progress or done; cleared when it fails, so that the next count loads again.
  let scriptsLoaded: Promise<void> | undefined;
  const whenScriptsLoaded = () => {
    scriptsLoaded ??= Promise.resolve(options && counters.init(options)).catch((error: unknown) => {
      scriptsLoaded = undefined;
      throw error;
    });
    return scriptsLoaded;
  };
  return {
    prefix: counters.prefix,
    init(startOptions) {
      options = startOptions;
      return whenScriptsLoaded();
    },
    async get(key) {
      await whenScriptsLoaded();
      return counters.get(key);
    },
    async increment(key) {
      await whenScriptsLoaded();
      return counters.increment(key);
    },
    decrement: (key) => counters.decrement(key),
    resetKey: (key) => counters.resetKey(key),
  };
}

/**
 * Redis's own NOSCRIPT reply, when the client's StoreError wraps one: a Redis that restarted (or
 * ran SCRIPT FLUSH) forgot the script, and rate-limit-redis loads it again only when it sees that
 * reply itself. Every other failure stays a StoreError (a 503 page).
 */
function noScriptInside(error: unknown): Error | undefined {
  const cause = error instanceof StoreError ? error.cause : undefined;
  return cause instanceof Error && /^NOSCRIPT\b/.test(cause.message) ? cause : undefined;
}
