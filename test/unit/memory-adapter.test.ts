// The development provider's storage (src/dev/memory-adapter.ts): what oidc-provider asks of an
// adapter, including its lookups by uid, user code and grant, which are indexed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryAdapter } from '../../src/dev/memory-adapter.ts';

describe('the development provider memory adapter', () => {
  it('finds a record by id, by uid and by user code, each within its own model', async () => {
    const adapterFor = createMemoryAdapter();
    const sessions = adapterFor('Session');
    const devices = adapterFor('DeviceCode');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    await devices.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60);

    assert.equal((await sessions.find('s1'))?.accountId, 'alice');
    assert.equal((await sessions.findByUid('u1'))?.accountId, 'alice');
    assert.equal(await devices.findByUid('u1'), undefined, 'another model');
    assert.equal((await devices.findByUserCode('ABCD-EFGH'))?.grantId, 'g1');
  });

  it('follows a record whose uid changed, and forgets a destroyed one', async () => {
    const sessions = createMemoryAdapter()('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    await sessions.upsert('s1', { uid: 'u2', accountId: 'alice' }, 60);

    assert.equal(await sessions.findByUid('u1'), undefined);
    assert.equal((await sessions.findByUid('u2'))?.accountId, 'alice');

    await sessions.destroy('s1');
    assert.equal(await sessions.find('s1'), undefined);
    assert.equal(await sessions.findByUid('u2'), undefined);
  });

  it("ends a grant's codes and tokens together, and nothing of another grant", async () => {
    const adapterFor = createMemoryAdapter();
    const codes = adapterFor('AuthorizationCode');
    const refreshTokens = adapterFor('RefreshToken');
    const accessTokens = adapterFor('AccessToken');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await refreshTokens.upsert('r1', { grantId: 'g1' }, 60);
    await accessTokens.upsert('a2', { grantId: 'g2' }, 60);

    await refreshTokens.revokeByGrantId('g1');

    assert.equal(await codes.find('c1'), undefined);
    assert.equal(await refreshTokens.find('r1'), undefined);
    assert.equal((await accessTokens.find('a2'))?.grantId, 'g2');
  });

  it('marks a consumed record and reads an expired one as absent', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const codes = createMemoryAdapter()('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 10);

    await codes.consume('c1');
    assert.equal((await codes.find('c1'))?.consumed, 1000);

    // Kept for the lifetime plus oidc-provider's clock tolerance (15 s), then gone.
    t.mock.timers.setTime(1_000_000 + 24_000);
    assert.ok(await codes.find('c1'));
    t.mock.timers.setTime(1_000_000 + 26_000);
    assert.equal(await codes.find('c1'), undefined);
  });

  it('sweeps expired records out of every index once a minute', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const adapterFor = createMemoryAdapter();
    const sessions = adapterFor('Session');
    const tokens = adapterFor('AccessToken');
    await sessions.upsert('s1', { uid: 'u1' }, 1);
    await tokens.upsert('a1', { grantId: 'g1' }, 1);

    t.mock.timers.setTime(1_000_000 + 61_000);
    // Any write sweeps; a new record under the expired uid is found, not the old one.
    await sessions.upsert('s2', { uid: 'u1', accountId: 'bob' }, 60);

    assert.equal((await sessions.findByUid('u1'))?.accountId, 'bob');
    await tokens.upsert('a3', { grantId: 'g1' }, 60);
    await tokens.revokeByGrantId('g1');
    assert.equal(await tokens.find('a3'), undefined);
    // Swept, not only read as expired: back at the start, the old records are not there.
    t.mock.timers.setTime(1_000_000);
    assert.equal(await sessions.find('s1'), undefined);
    assert.equal(await tokens.find('a1'), undefined);
  });
});
