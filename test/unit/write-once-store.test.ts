import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session, { type SessionData } from 'express-session';
import { WriteOnceStore } from '../../src/session/write-once-store.ts';

const hour = 60 * 60 * 1000;

function sessionData(): SessionData {
  return {
    cookie: { originalMaxAge: hour, expires: new Date(Date.now() + hour), httpOnly: true },
    user: { sub: 'alice', signedInAt: 1 },
    csrfToken: 'csrf-1',
  } as SessionData;
}

function build() {
  const inner = new session.MemoryStore();
  const writes: string[] = [];
  const innerSet = inner.set.bind(inner);
  inner.set = (sid, data, callback) => {
    writes.push(sid);
    innerSet(sid, data, callback);
  };
  const store = new WriteOnceStore(inner);
  const set = (sid: string, data: SessionData) =>
    new Promise<void>((resolve, reject) =>
      store.set(sid, data, (error) => (error ? reject(error) : resolve())),
    );
  return { writes, set };
}

describe('WriteOnceStore', () => {
  it('when the same session is saved again unchanged, then it writes it once', async () => {
    const store = build();
    const data = sessionData();

    await store.set('s1', data);
    data.cookie.expires = new Date(Date.now() + hour + 5);
    await store.set('s1', data);

    assert.deepEqual(store.writes, ['s1']);
  });

  it('when the session changed since its last write, then it writes it again', async () => {
    const store = build();
    const data = sessionData();

    await store.set('s1', data);
    data.notice = 'Signed in.';
    await store.set('s1', data);

    assert.deepEqual(store.writes, ['s1', 's1']);
  });

  it('when another request saves equal data (its own session object), then it writes it', async () => {
    const store = build();

    await store.set('s1', sessionData());
    await store.set('s1', sessionData());

    assert.deepEqual(store.writes, ['s1', 's1']);
  });

  it('when the same session object is saved under another id, then it writes it', async () => {
    const store = build();
    const data = sessionData();

    await store.set('s1', data);
    await store.set('s2', data);

    assert.deepEqual(store.writes, ['s1', 's2']);
  });
});
