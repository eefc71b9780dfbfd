// express-session's data sealed at rest when TOKEN_ENCRYPTION_KEY is set: pending logins (PKCE
// verifier, nonce), the user's name and email, the cookie's settings, bound to the session id,
// whichever store keeps them. See docs/decisions/009-session-rows-encrypted.md.
import session, { type SessionData } from 'express-session';
import type { Sealer } from './encrypting-codec.ts';
import { parseSessionData } from './session-data.ts';

type Callback<T> = (error: unknown, value?: T) => void;

/**
 * A session store that keeps sessions sealed in another store. The inner store sees the sealed
 * text and, in clear, only the cookie's expiry (from which it sets the row's). A sealed session
 * copied to another id opens as no session (a new, signed-out one).
 */
export class SealedSessionStore extends session.Store {
  readonly #inner: session.Store;
  readonly #sealer: Sealer;

  constructor(inner: session.Store, sealer: Sealer) {
    super();
    this.#inner = inner;
    this.#sealer = sealer;
  }

  /** Answers the session, or null when it is missing or does not open for this id. */
  get(sid: string, callback: Callback<SessionData | null>): void {
    this.#inner.get(sid, (error, stored) => {
      if (error) callback(error);
      else callback(null, stored ? this.#open(sid, stored) : null);
    });
  }

  set(sid: string, sess: SessionData, callback?: (error?: unknown) => void): void {
    const sealed = this.#sealer.seal(JSON.stringify(sess), sessionContext(sid));
    this.#inner.set(sid, { ...expiryOf(sess), sealed } as unknown as SessionData, callback);
  }

  destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.#inner.destroy(sid, callback);
  }

  #open(sid: string, stored: SessionData): SessionData | null {
    const { sealed } = stored as { sealed?: unknown };
    if (typeof sealed !== 'string') return fromBeforeSealing(stored);
    const opened = this.#sealer.open(sealed, sessionContext(sid));
    return opened ? parseSessionData(opened.plaintext) : null;
  }
}

/** The associated data of a session: its id, in a JSON array like a token record's binding. */
function sessionContext(sid: string): string {
  return JSON.stringify(['session', sid]);
}

/** What the inner store needs in clear: when the session's cookie expires. */
function expiryOf(sess: SessionData): Pick<SessionData, 'cookie'> {
  const { expires, originalMaxAge } = sess.cookie;
  return { cookie: { expires, originalMaxAge } } as Pick<SessionData, 'cookie'>;
}

/**
 * A session written before sessions were sealed (or before the key was set) is read, and sealed
 * on its next write. Its pending logins are dropped: without a seal, anyone who can write the
 * store could have planted one (a sign-in in progress at the upgrade starts again).
 */
function fromBeforeSealing(stored: SessionData): SessionData {
  const session: Partial<SessionData> = { ...stored };
  delete session.pendingLogins;
  return session as SessionData;
}
