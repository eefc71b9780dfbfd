// Token records in Redis for several app instances: a hash per session, versioned, replaced with
// a compare-and-set script so that a stale writer never overwrites newer (rotated) tokens. The
// encoded tokens are bound to the hash's session, sub and sid (see TokenCodec).

import type { TokenBinding, TokenCodec } from '../../session/token-codec.ts';
import { parseLogoutSubject, type TokenStore } from '../../session/token-store.ts';
import type { RedisClient } from './redis-client.ts';

// Atomic in Redis: bump the version and write the data only if the version is the one read and
// the record still has the owner (sub, sid) the data is bound to.
const replaceScript = `
local version = redis.call('HGET', KEYS[1], 'version')
if version ~= ARGV[1] then return nil end
if redis.call('HGET', KEYS[1], 'sub') ~= ARGV[3] then return nil end
if (redis.call('HGET', KEYS[1], 'sid') or '') ~= ARGV[4] then return nil end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', tonumber(version) + 1)
return redis.call('HMGET', KEYS[1], 'version', 'sub', 'sid')`;

// Re-encrypting writes only over the very text it read, never over a newer version; the tokens
// are the same, so the version stays.
const reencryptScript = `
if redis.call('HGET', KEYS[1], 'data') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
return 1`;

const prefix = 'oer:tokens:';
const recordKey = (sessionId: string) => `${prefix}${sessionId}`;
const subKey = (sub: string) => `${prefix}by-sub:${sub}`;
const sidKey = (sid: string) => `${prefix}by-sid:${sid}`;

/**
 * The TokenStore on Redis. Every method rejects with a StoreError when Redis is unreachable or
 * silent: the client's commands and transactions do so themselves (redis-client.ts).
 */
export function createRedisTokenStore(client: RedisClient, codec: TokenCodec): TokenStore {
  return {
    async get(sessionId) {
      const fields = await client.hGetAll(recordKey(sessionId));
      if (!fields.data || !fields.version || !fields.sub) return undefined;
      const binding: TokenBinding = {
        sessionId,
        sub: fields.sub,
        ...(fields.sid && { sid: fields.sid }),
      };
      const decoded = codec.decode(fields.data, binding);
      if (!decoded) return undefined;
      if (decoded.isStale) {
        await client.eval(reencryptScript, {
          keys: [recordKey(sessionId)],
          arguments: [fields.data, codec.encode(decoded.tokens, binding)],
        });
      }
      return {
        tokens: decoded.tokens,
        version: Number(fields.version),
        sub: fields.sub,
        ...(fields.sid && { sid: fields.sid }),
      };
    },
    async put(sessionId, record, ttlMs) {
      const key = recordKey(sessionId);
      const owner = { sub: record.sub, ...(record.sid && { sid: record.sid }) };
      const fields = {
        data: codec.encode(record.tokens, { sessionId, ...owner }),
        version: '1',
        ...owner,
      };
      const multi = client.multi().del(key).hSet(key, fields).pExpire(key, ttlMs);
      multi.sAdd(subKey(record.sub), sessionId).pExpire(subKey(record.sub), ttlMs);
      if (record.sid) multi.sAdd(sidKey(record.sid), sessionId).pExpire(sidKey(record.sid), ttlMs);
      await multi.exec();
      return { ...record, version: 1 };
    },
    async replace(sessionId, expectedVersion, tokens) {
      // The data is bound to the record's owner: read it first; the script checks it is unchanged.
      const [version, currentSub, currentSid] = await client.hmGet(recordKey(sessionId), [
        'version',
        'sub',
        'sid',
      ]);
      if (version !== String(expectedVersion) || !currentSub) return undefined;
      const binding = { sessionId, sub: currentSub, ...(currentSid && { sid: currentSid }) };
      const reply = await client.eval(replaceScript, {
        keys: [recordKey(sessionId)],
        arguments: [
          String(expectedVersion),
          codec.encode(tokens, binding),
          currentSub,
          currentSid ?? '',
        ],
      });
      if (!Array.isArray(reply)) return undefined;
      const [newVersion, sub, sid] = reply.map((value) =>
        typeof value === 'string' ? value : undefined,
      );
      if (!newVersion || !sub) return undefined;
      return { tokens, version: Number(newVersion), sub, ...(sid && { sid }) };
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
      // Set members can outlive their record (expiry): keep only sessions whose record still exists.
      const exists = await Promise.all(candidates.map((id) => client.exists(recordKey(id))));
      return candidates.filter((_id, index) => exists[index] === 1);
    },
  };
}
