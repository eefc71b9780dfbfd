// Token records in Redis for several app instances: a hash per session, versioned, replaced with
// a compare-and-set script so that a stale writer never overwrites newer (rotated) tokens.
import { guard, type RedisClient } from './redis-client.ts';
import type { TokenCodec } from './token-codec.ts';
import {
  parseSessionQuery,
  type SessionQuery,
  type StoredTokens,
  type TokenRecord,
  type TokenStore,
} from './token-store.ts';

// Atomic in Redis: bump the version and write the data only if the version is the one read.
const replaceScript = `
local version = redis.call('HGET', KEYS[1], 'version')
if version ~= ARGV[1] then return nil end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', tonumber(version) + 1)
return redis.call('HMGET', KEYS[1], 'version', 'sub', 'sid')`;

const prefix = 'oer:tokens:';
const recordKey = (sessionId: string) => `${prefix}${sessionId}`;
const subKey = (sub: string) => `${prefix}by-sub:${sub}`;
const sidKey = (sid: string) => `${prefix}by-sid:${sid}`;

/**
 * The TokenStore on Redis. Every method rejects with a StoreError when Redis is unreachable: the
 * client's commands do so themselves (redis-client.ts); transactions go through `guard`.
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisClient;
  readonly #codec: TokenCodec;

  constructor(client: RedisClient, codec: TokenCodec) {
    this.#client = client;
    this.#codec = codec;
  }

  async get(sessionId: string): Promise<TokenRecord | undefined> {
    const fields = await this.#client.hGetAll(recordKey(sessionId));
    if (!fields.data || !fields.version || !fields.sub) return undefined;
    const tokens = this.#codec.decode(fields.data);
    if (!tokens) return undefined;
    return {
      tokens,
      version: Number(fields.version),
      sub: fields.sub,
      ...(fields.sid && { sid: fields.sid }),
    };
  }

  async put(
    sessionId: string,
    record: Omit<TokenRecord, 'version'>,
    ttlMs: number,
  ): Promise<TokenRecord> {
    const key = recordKey(sessionId);
    const fields = {
      data: this.#codec.encode(record.tokens),
      version: '1',
      sub: record.sub,
      ...(record.sid && { sid: record.sid }),
    };
    const multi = this.#client.multi().del(key).hSet(key, fields).pExpire(key, ttlMs);
    multi.sAdd(subKey(record.sub), sessionId).pExpire(subKey(record.sub), ttlMs);
    if (record.sid) multi.sAdd(sidKey(record.sid), sessionId).pExpire(sidKey(record.sid), ttlMs);
    await guard(multi.exec());
    return { ...record, version: 1 };
  }

  async replace(
    sessionId: string,
    expectedVersion: number,
    tokens: StoredTokens,
  ): Promise<TokenRecord | undefined> {
    const reply = await this.#client.eval(replaceScript, {
      keys: [recordKey(sessionId)],
      arguments: [String(expectedVersion), this.#codec.encode(tokens)],
    });
    if (!Array.isArray(reply)) return undefined;
    const [version, sub, sid] = reply.map((value) =>
      typeof value === 'string' ? value : undefined,
    );
    if (!version || !sub) return undefined;
    return { tokens, version: Number(version), sub, ...(sid && { sid }) };
  }

  async delete(sessionId: string): Promise<void> {
    const key = recordKey(sessionId);
    const [sub, sid] = await this.#client.hmGet(key, ['sub', 'sid']);
    const multi = this.#client.multi().del(key);
    if (sub) multi.sRem(subKey(sub), sessionId);
    if (sid) multi.sRem(sidKey(sid), sessionId);
    await guard(multi.exec());
  }

  async findSessions(query: SessionQuery): Promise<string[]> {
    const { sub, sid } = parseSessionQuery(query);
    const sets = [...(sub ? [subKey(sub)] : []), ...(sid ? [sidKey(sid)] : [])];
    const candidates = await this.#client.sInter(sets);
    // Set members can outlive their record (expiry): keep only sessions whose record still exists.
    const exists = await Promise.all(candidates.map((id) => this.#client.exists(recordKey(id))));
    return candidates.filter((_id, index) => exists[index] === 1);
  }
}
