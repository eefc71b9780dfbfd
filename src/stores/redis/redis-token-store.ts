// Token records in Redis for several app instances: a hash per session, versioned, replaced with
// a compare-and-set script so that a stale writer never overwrites newer (rotated) tokens.

import type { TokenCodec } from '../../session/token-codec.ts';
import { parseLogoutSubject, type TokenStore } from '../../session/token-store.ts';
import type { RedisClient } from './redis-client.ts';

// Atomic in Redis: bump the version and write the data only if the version is the one read.
const replaceScript = `
local version = redis.call('HGET', KEYS[1], 'version')
if version ~= ARGV[1] then return nil end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', tonumber(version) + 1)
return redis.call('HMGET', KEYS[1], 'version', 'sub', 'sid', 'signedInAt')`;

const prefix = 'oer:tokens:';
const recordKey = (sessionId: string) => `${prefix}${sessionId}`;
const subKey = (sub: string) => `${prefix}by-sub:${sub}`;
const sidKey = (sid: string) => `${prefix}by-sid:${sid}`;
// Records written before the sign-in time was kept have no such field: signed in long ago.
const signedInAtOf = (field: string | null | undefined) => Number(field ?? 0) || 0;

/**
 * The TokenStore on Redis. Every method rejects with a StoreError when Redis is unreachable or
 * silent: the client's commands and transactions do so themselves (redis-client.ts).
 */
export function createRedisTokenStore(client: RedisClient, codec: TokenCodec): TokenStore {
  return {
    async get(sessionId) {
      const fields = await client.hGetAll(recordKey(sessionId));
      if (!fields.data || !fields.version || !fields.sub) return undefined;
      const tokens = codec.decode(fields.data);
      if (!tokens) return undefined;
      return {
        tokens,
        version: Number(fields.version),
        sub: fields.sub,
        ...(fields.sid && { sid: fields.sid }),
        signedInAt: signedInAtOf(fields.signedInAt),
      };
    },
    async put(sessionId, record, ttlMs) {
      const key = recordKey(sessionId);
      const fields = {
        data: codec.encode(record.tokens),
        version: '1',
        sub: record.sub,
        ...(record.sid && { sid: record.sid }),
        signedInAt: String(record.signedInAt),
      };
      const multi = client.multi().del(key).hSet(key, fields).pExpire(key, ttlMs);
      multi.sAdd(subKey(record.sub), sessionId).pExpire(subKey(record.sub), ttlMs);
      if (record.sid) multi.sAdd(sidKey(record.sid), sessionId).pExpire(sidKey(record.sid), ttlMs);
      await multi.exec();
      return { ...record, version: 1 };
    },
    async replace(sessionId, expectedVersion, tokens) {
      const reply = await client.eval(replaceScript, {
        keys: [recordKey(sessionId)],
        arguments: [String(expectedVersion), codec.encode(tokens)],
      });
      if (!Array.isArray(reply)) return undefined;
      const [version, sub, sid, signedInAt] = reply.map((value) =>
        typeof value === 'string' ? value : undefined,
      );
      if (!version || !sub) return undefined;
      return {
        tokens,
        version: Number(version),
        sub,
        ...(sid && { sid }),
        signedInAt: signedInAtOf(signedInAt),
      };
    },
    async delete(sessionId) {
      const key = recordKey(sessionId);
      const [sub, sid] = await client.hmGet(key, ['sub', 'sid']);
      const multi = client.multi().del(key);
      if (sub) multi.sRem(subKey(sub), sessionId);
      if (sid) multi.sRem(sidKey(sid), sessionId);
      await multi.exec();
    },
    async findSessions(query) {
      const { sub, sid } = parseLogoutSubject(query);
      const sets = [...(sub ? [subKey(sub)] : []), ...(sid ? [sidKey(sid)] : [])];
      const candidates = await client.sInter(sets);
      // Set members can outlive their record (expiry): keep only sessions whose record still
      // exists (has a sub), and that signed in early enough when the query says how early.
      const records = await Promise.all(
        candidates.map((id) => client.hmGet(recordKey(id), ['sub', 'signedInAt'])),
      );
      const { signedInBy } = query;
      return candidates.filter((_id, index) => {
        const [sub, signedInAt] = records[index] ?? [];
        return sub && (signedInBy === undefined || signedInAtOf(signedInAt) <= signedInBy);
      });
    },
  };
}
