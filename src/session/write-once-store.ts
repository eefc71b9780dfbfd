// One write per session content within a request: a route saves its session before redirecting,
// and express-session saves a session that changed id again as the response ends, unchanged.
import session, { type SessionData } from 'express-session';

type Callback = (error?: unknown) => void;

/**
 * A session store that skips a save of a session object whose data has not changed since this
 * store last wrote it. Each request has its own session object (a new one after `regenerate`), so
 * what is skipped is a second write of the same request; only the cookie's expiry may differ,
 * moved on by the request's own duration. It has no `touch`, on purpose: express-session would
 * call one after every request that left the session unchanged, a store write each time.
 */
export class WriteOnceStore extends session.Store {
  readonly #inner: session.Store;
  /** What was last written of each session object, forgotten with the object. */
  readonly #written = new WeakMap<SessionData, string>();

  constructor(inner: session.Store) {
    super();
    this.#inner = inner;
  }

  get(sid: string, callback: (error: unknown, value?: SessionData | null) => void): void {
    this.#inner.get(sid, callback);
  }

  set(sid: string, sess: SessionData, callback?: Callback): void {
    const written = contentOf(sid, sess);
    if (this.#written.get(sess) === written) {
      if (callback) process.nextTick(callback);
      return;
    }
    this.#inner.set(sid, sess, (error) => {
      if (!error) this.#written.set(sess, written);
      callback?.(error);
    });
  }

  destroy(sid: string, callback?: Callback): void {
    this.#inner.destroy(sid, callback);
  }
}

/** The id and the data, without the cookie (as express-session tells a changed session). */
function contentOf(sid: string, sess: SessionData): string {
  return JSON.stringify([sid, sess], function omitCookie(this: unknown, key, value) {
    return this === sess && key === 'cookie' ? undefined : value;
  });
}
