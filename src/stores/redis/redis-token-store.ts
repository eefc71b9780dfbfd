// Token records in Redis for several app instances: a hash per session, versioned, replaced with
// a compare-and-set script so that a stale writer never overwrites newer (rotated) tokens. The
// encoded tokens are bound to the hash's session, sub and sid (see TokenCodec). An index by expiry
// lets a sweep take expired records, to revoke their refresh tokens.

import { decodeExpired, type ExpiredTokens } from '../../session/session-backend.ts';
import type { TokenBinding, TokenCodec } from '../../session/token-codec.ts';
import { parseLogoutSubject, type TokenStore } from '../../session/token-store.ts';
import type { RedisClient } from './redis-client.ts';

// Atomic in Redis: bump the version and write the data only if the version is the one read, the
// record has not expired, and it still has the owner (sub, sid) the data is bound to.
const replaceScript = `
local version, expiresAt, sub, sid = unpack(redis.call('HMGET', KEYS[1], 'version', 'expiresAt', 'sub', 'sid'))
if version ~= ARGV[1] then return nil end
if expiresAt and tonumber(expiresAt) <= tonumber(ARGV[3]) then return nil end
if sub ~= ARGV[4] or (sid or '') ~= ARGV[5] then return nil end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', tonumber(version) + 1)
return redis.call('HMGET', KEYS[1], 'version', 'sub', 'sid', 'signedInAt')`;

// Atomic in Redis, so two instances never take the same record: removes up to ARGV[2] records
// due at ARGV[1] from the expiry index and the store, and answers their data, sub and sid. It
// names keys that are not in KEYS (one Redis, not a cluster, as the transactions here assume).
const takeExpiredScript = `
local taken = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(due) do
  local key = ARGV[3] .. id
  local data, sub, sid, expiresAt = unpack(redis.call('HMGET', key, 'data', 'sub', 'sid', 'expiresAt'))
  if expiresAt and tonumber(expiresAt) > tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], expiresAt, id)
  else
    redis.call('ZREM', KEYS[1], id)
    if data then
      redis.call('DEL', key)
      if sub then redis.call('SREM', ARGV[3] .. 'by-sub:' .. sub, id) end
      if sid then redis.call('SREM', ARGV[3] .. 'by-sid:' .. sid, id) end
      taken[#taken + 1] = { id, data, sub or '', sid or '' }
    end
  end
end
return taken`;

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
// Records written before the sign-in time was kept have no such field: signed in long ago.
const signedInAtOf = (field: string | null | undefined) => Number(field ?? 0) || 0;
const byExpiryKey = `${prefix}by-expiry`;

// A record stays in Redis this long past its expiry (read as absent), so that a sweep still finds
// it, and revokes its refresh token, after every instance was down for a while.
const sweepGraceMs = 60 * 60 * 1000;

/** The TokenStore on Redis, and the sweep's side of it. */
export interface RedisTokenStore extends TokenStore {
  /** Removes up to `limit` expired records and answers them (those the codec cannot read, counted). */
  takeExpired(limit: number): Promise<ExpiredTokens>;
}

/**
 * The TokenStore on Redis. Every method rejects with a StoreError when Redis is unreachable or
 * silent: the client's commands and transactions do so themselves (redis-client.ts).
 */
export function createRedisTokenStore(
  client: RedisClient,
  codec: TokenCodec,
  now: () => number = Date.now,
): RedisTokenStore {
  return {
    async get(sessionId) {
      const fields = await client.hGetAll(recordKey(sessionId));
      if (!fields.data || !fields.version || !fields.sub) return undefined;
      if (fields.expiresAt && Number(fields.expiresAt) <= now()) return undefined;
      const binding: TokenBinding = {
        sessionId,
        sub: fields.sub,
        ...(fields.sid && { sid: fields.sid }),
      };
      const decoded = codec.decode(fields.data, binding);
      if (!decoded) return undefined;
      if (decoded.isStale) {
        // A failed re-encryption must not fail the read: the next read tries again.
        await client
          .eval(reencryptScript, {
            keys: [recordKey(sessionId)],
            arguments: [fields.data, codec.encode(decoded.tokens, binding)],
          })
          .catch(() => undefined);
      }
      return {
        tokens: decoded.tokens,
        version: Number(fields.version),
        sub: fields.sub,
        ...(fields.sid && { sid: fields.sid }),
        signedInAt: signedInAtOf(fields.signedInAt),
      };
    },
    async put(sessionId, record, ttlMs) {
      const key = recordKey(sessionId);
      const expiresAt = now() + ttlMs;
      const keepMs = ttlMs + sweepGraceMs;
      const owner = { sub: record.sub, ...(record.sid && { sid: record.sid }) };
      const fields = {
        data: codec.encode(record.tokens, { sessionId, ...owner }),
        version: '1',
        ...owner,
        expiresAt: String(expiresAt),
        signedInAt: String(record.signedInAt),
      };
      const multi = client.multi().del(key).hSet(key, fields).pExpire(key, keepMs);
      multi.zAdd(byExpiryKey, { score: expiresAt, value: sessionId });
      multi.sAdd(subKey(record.sub), sessionId).pExpire(subKey(record.sub), keepMs);
      if (record.sid) multi.sAdd(sidKey(record.sid), sessionId).pExpire(sidKey(record.sid), keepMs);
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
          String(now()),
          currentSub,
          currentSid ?? '',
        ],
      });
      if (!Array.isArray(reply)) return undefined;
      const [newVersion, sub, sid, signedInAt] = reply.map((value) =>
        typeof value === 'string' ? value : undefined,
      );
      if (!newVersion || !sub) return undefined;
      return {
        tokens,
        version: Number(newVersion),
        sub,
        ...(sid && { sid }),
        signedInAt: signedInAtOf(signedInAt),
      };
    },
    async delete(sessionId) {
      const key = recordKey(sessionId);
      const [sub, sid] = await client.hmGet(key, ['sub', 'sid']);
      const multi = client.multi().del(key).zRem(byExpiryKey, sessionId);
      if (sub) multi.sRem(subKey(sub), sessionId);
      if (sid) multi.sRem(sidKey(sid), sessionId);
      await multi.exec();
    },
    async findSessions(query) {
      const { sub, sid } = parseLogoutSubject(query);
      const sets = [...(sub ? [subKey(sub)] : []), ...(sid ? [sidKey(sid)] : [])];
      const candidates = await client.sInter(sets);
      // Set members can outlive their record: keep only sessions whose record is still live, and
      // that signed in early enough when the query says how early.
      const at = now();
      const records = await Promise.all(
        candidates.map((id) => client.hmGet(recordKey(id), ['sub', 'expiresAt', 'signedInAt'])),
      );
      const { signedInBy } = query;
      return candidates.filter((_id, index) => {
        const [hasSub, expiresAt, signedInAt] = records[index] ?? [];
        const isLive = Boolean(hasSub) && (!expiresAt || Number(expiresAt) > at);
        return isLive && (signedInBy === undefined || signedInAtOf(signedInAt) <= signedInBy);
      });
    },
    async takeExpired(limit) {
      const reply = await client.eval(takeExpiredScript, {
        keys: [byExpiryKey],
        arguments: [String(now()), String(limit), prefix],
      });
      const rows = Array.isArray(reply) ? reply : [];
      return decodeExpired(
        rows.map((row) => {
          const [sessionId, data, sub, sid] = Array.isArray(row) ? row.map(String) : [];
          if (sessionId === undefined || data === undefined || !sub) return undefined;
          return { sessionId, data, sub, sid: sid || undefined };
        }),
        codec,
      );
    },
  };
}
