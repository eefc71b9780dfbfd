// Reads a session straight from the app's session store, as express-session would load it (opened
// when the store is sealed), to check what the server keeps for a browser; or writes one there, as
// a late save of another request would.
import { promisify } from 'node:util';
import type { SessionData, Store } from 'express-session';
import type { FlowStep } from '../../src/protocol.ts';
import { storedSteps } from '../../src/recorder/flow-recorder.ts';
import type { SessionBackend } from '../../src/session/session-backend.ts';
import type { CookieJar } from './cookie-jar.ts';

/** The session `id` holds in a backend's (or a bare store's) sessions; undefined when there is none. */
export async function readSession(
  from: Pick<SessionBackend, 'sessions'> | Store,
  id: string,
): Promise<SessionData | undefined> {
  const store = 'get' in from ? from : from.sessions;
  return (await promisify(store.get.bind(store))(id)) ?? undefined;
}

/** Writes `data` as session `id` into a backend's sessions (sealed when the app's store is). */
export async function writeSession(
  backend: Pick<SessionBackend, 'sessions'>,
  id: string,
  data: SessionData,
): Promise<void> {
  const { sessions } = backend;
  await promisify(sessions.set.bind(sessions))(id, data);
}

/** The /flow steps the session of `jar` holds. */
export async function recordedSteps(
  app: { backend: Pick<SessionBackend, 'sessions'>; sessionIdOf(jar: CookieJar): string },
  jar: CookieJar,
): Promise<FlowStep[]> {
  return storedSteps((await readSession(app.backend, app.sessionIdOf(jar))) ?? {});
}
