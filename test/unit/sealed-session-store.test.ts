import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session, { type SessionData } from 'express-session';
import { createSealer } from '../../src/session/encrypting-codec.ts';
import { SealedSessionStore } from '../../src/session/sealed-session-store.ts';

const key = Buffer.alloc(32, 5);
const hour = 60 * 60 * 1000;

function sessionData(): SessionData {
  return {
    cookie: { originalMaxAge: hour, expires: new Date(Date.now() + hour), httpOnly: true },
    user: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test', signedInAt: 1 },
    extendedAt: 1,
    pendingLogins: {
      'state-1': { codeVerifier: 'verifier-1', nonce: 'nonce-1', returnTo: '/', expiresAt: 2 },
    },
    notice: 'hello',
    csrfToken: 'csrf-1',
    compressedFlow: '',
    flow: [],
    signedOut: { at: 3, revocation: 'revoked', endSession: 'redirected' },
  } as SessionData;
}

function build() {
  const inner = new session.MemoryStore();
  const store = new SealedSessionStore(inner, createSealer([key]));
  const call = <T>(run: (done: (error: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) =>
      run((error, value) => (error ? reject(error) : resolve(value))),
    );
  return {
    inner,
    get: (sid: string) => call<SessionData | null>((done) => store.get(sid, done)),
    set: (sid: string, data: SessionData) => call<void>((done) => store.set(sid, data, done)),
    /** What the store beneath holds for `sid`, as stored. */
    raw: (sid: string) => call<SessionData | null>((done) => inner.get(sid, done)),
    setRaw: (sid: string, data: SessionData) => call<void>((done) => inner.set(sid, data, done)),
  };
}

describe('SealedSessionStore', () => {
  it('gives back the session it stored', async () => {
    const store = build();

    await store.set('s1', sessionData());
    const read = await store.get('s1');

    assert.deepEqual(read?.user, sessionData().user);
    assert.deepEqual(read?.pendingLogins, sessionData().pendingLogins);
    assert.equal(read?.cookie.httpOnly, true);
  });

  it('leaves the store beneath only the sealed text and the expiry', async () => {
    const store = build();

    await store.set('s1', sessionData());
    const raw = JSON.stringify(await store.raw('s1'));

    for (const secret of ['verifier-1', 'nonce-1', 'Alice Liddell', 'alice@example.test', 'hello'])
      assert.ok(!raw.includes(secret), `${secret} is in clear`);
    assert.deepEqual(Object.keys(JSON.parse(raw)).sort(), ['cookie', 'sealed']);
  });

  it('opens as no session when a sealed session is copied to another id', async () => {
    const store = build();
    await store.set('s1', sessionData());
    const sealed = await store.raw('s1');
    assert.ok(sealed);

    await store.setRaw('s2', sealed);

    assert.equal(await store.get('s2'), null);
  });

  it('reads a session written before sealing, without its pending logins', async () => {
    const store = build();
    await store.setRaw('s1', sessionData());

    const read = await store.get('s1');

    assert.deepEqual(read?.user, sessionData().user);
    assert.equal(read?.pendingLogins, undefined, 'a pending login needs a seal');
  });
});
