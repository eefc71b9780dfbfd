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
  let lastSweep = Date.now();

  const live = (entry: StoredPayload | undefined) =>
    entry !== undefined && entry.expiresAt > Date.now() ? entry.payload : undefined;
  const findWhere = (model: string, matches: (payload: AdapterPayload) => boolean) => {
    for (const [key, entry] of stored) {
      if (key.startsWith(`${model}:`) && matches(entry.payload)) return live(entry);
    }
    return undefined;
  };
  const sweepExpired = () => {
    const now = Date.now();
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    for (const [key, entry] of stored) if (entry.expiresAt <= now) stored.delete(key);
  };

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      sweepExpired();
      const expiresAt =
        expiresIn === undefined
          ? Infinity
          : Date.now() + (expiresIn + clockToleranceSeconds) * 1000;
      stored.set(`${model}:${id}`, { payload, expiresAt });
    },
    async find(id) {
      return live(stored.get(`${model}:${id}`));
    },
    async findByUid(uid) {
      return findWhere(model, (payload) => payload.uid === uid);
    },
    async findByUserCode(userCode) {
      return findWhere(model, (payload) => payload.userCode === userCode);
    },
    async consume(id) {
      const payload = live(stored.get(`${model}:${id}`));
      // oidc-provider marks a used code or rotated refresh token, and refuses it from then on.
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      stored.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      for (const [key, entry] of stored) {
        const entryModel = key.slice(0, key.indexOf(':'));
        if (grantModels.has(entryModel) && entry.payload.grantId === grantId) stored.delete(key);
      }
    },
  });
}
