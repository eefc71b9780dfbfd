// Ends every app session of a user at once (back-channel logout): their token records and their
// express-session rows.
import type { SessionBackend } from './session-backend.ts';
import type { SessionQuery } from './token-store.ts';

/** Ends the sessions whose tokens name `subject`'s sub and/or sid; returns how many. */
export async function endSessionsOf(
  backend: Pick<SessionBackend, 'sessions' | 'tokens'>,
  subject: SessionQuery,
): Promise<number> {
  const sessionIds = await backend.tokens.findSessions(subject);
  for (const sessionId of sessionIds) {
    await backend.tokens.delete(sessionId);
    await new Promise<void>((resolve, reject) =>
      backend.sessions.destroy(sessionId, (error) => (error ? reject(error) : resolve())),
    );
  }
  return sessionIds.length;
}
