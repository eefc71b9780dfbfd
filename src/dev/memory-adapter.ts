// Where the development provider keeps its sessions, grants, codes and tokens (oidc-provider's
// `adapter`): a Map in this process, so a restart forgets them, as a development provider may.
// Given explicitly, it replaces oidc-provider's quick-start adapter, which warns on every start
// that it must not be used in production; a real provider has its own storage.
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface StoredPayload {
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when oidc-provider gave no lifetime. */
  expiresAt: number;
}

const sweepIntervalMs = 60_000;
/** oidc-provider judges expiry itself with this clockTolerance (its default): keep records as long. */
const clockToleranceSeconds = 15;
/** The models that belong to a grant, and end with it. */
const grantModels = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** One store shared by every model (a grant's tokens are revoked together), one adapter per model. */
export function createMemoryAdapter(): AdapterFactory {
  const stored = new Map<string, StoredPayload>();
  // The lookups oidc-provider makes by something other than the id: a session by its uid (on every
  // request that carries the provider's session cookie), a device code by its user code, a grant's
  // tokens when it ends. Indexed, so that they cost the same after thousands of sign-ins as after
  // one: scanning every record made the provider slower with each sign-in (npm run bench).
  const keyByUid = new Map<string, string>();
  const keyByUserCode = new Map<string, string>();
  const keysByGrantId = new Map<string, Set<string>>();
  let lastSweep = Date.now();

  const live = (entry: StoredPayload | undefined) =>
    entry !== undefined && entry.expiresAt > Date.now() ? entry.payload : undefined;
  const index = (model: string, key: string, payload: AdapterPayload) => {
    if (payload.uid !== undefined) keyByUid.set(`${model}:${payload.uid}`, key);
    if (payload.userCode !== undefined) keyByUserCode.set(`${model}:${payload.userCode}`, key);
    if (grantModels.has(model) && payload.grantId !== undefined) {
      const keys = keysByGrantId.get(payload.grantId) ?? new Set<string>();
      keysByGrantId.set(payload.grantId, keys.add(key));
    }
  };
  const unindex = (model: string, key: string, payload: AdapterPayload) => {
    const uidKey = `${model}:${payload.uid}`;
    if (keyByUid.get(uidKey) === key) keyByUid.delete(uidKey);
    const userCodeKey = `${model}:${payload.userCode}`;
    if (keyByUserCode.get(userCodeKey) === key) keyByUserCode.delete(userCodeKey);
    if (payload.grantId === undefined) return;
    const grantKeys = keysByGrantId.get(payload.grantId);
    grantKeys?.delete(key);
    if (grantKeys?.size === 0) keysByGrantId.delete(payload.grantId);
  };
  const remove = (key: string) => {
    const entry = stored.get(key);
    if (!entry) return;
    stored.delete(key);
    unindex(key.slice(0, key.indexOf(':')), key, entry.payload);
  };
  const sweepExpired = () => {
    const now = Date.now();
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    for (const [key, entry] of stored) if (entry.expiresAt <= now) remove(key);
  };

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      sweepExpired();
      const expiresAt =
        expiresIn === undefined
          ? Infinity
          : Date.now() + (expiresIn + clockToleranceSeconds) * 1000;
      const key = `${model}:${id}`;
      remove(key);
      stored.set(key, { payload, expiresAt });
      index(model, key, payload);
    },
    async find(id) {
      return live(stored.get(`${model}:${id}`));
    },
    async findByUid(uid) {
      const key = keyByUid.get(`${model}:${uid}`);
      return key === undefined ? undefined : live(stored.get(key));
    },
    async findByUserCode(userCode) {
      const key = keyByUserCode.get(`${model}:${userCode}`);
      return key === undefined ? undefined : live(stored.get(key));
    },
    async consume(id) {
      const payload = live(stored.get(`${model}:${id}`));
      // oidc-provider marks a used code or rotated refresh token, and refuses it from then on.
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      remove(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      for (const key of [...(keysByGrantId.get(grantId) ?? [])]) remove(key);
    },
  });
}
