import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import { extendActiveSession } from '../../src/session/session-middleware.ts';

const minute = 60 * 1000;

/** Runs the middleware on a session as a request would find it; answers that session. */
function runOn(
  session: Partial<SessionData> | undefined,
  now: number,
): Partial<SessionData> | undefined {
  const extend = extendActiveSession(3 * minute, () => now);
  let calledNext = false;
  extend({ session } as unknown as Request, {} as Response, () => {
    calledNext = true;
  });
  assert.ok(calledNext);
  return session;
}

const user = { sub: 'alice', signedInAt: 0 };

describe('extendActiveSession', () => {
  it('leaves a session whose expiry moved less than the interval ago unchanged', () => {
    const session = runOn({ user, extendedAt: 10 * minute }, 12 * minute);

    assert.equal(session?.extendedAt, 10 * minute);
  });

  it('changes a session whose expiry moved the interval ago or longer, so that it is saved', () => {
    const session = runOn({ user, extendedAt: 10 * minute }, 13 * minute);

    assert.equal(session?.extendedAt, 13 * minute);
  });

  it('counts the sign-in as the first move', () => {
    const recent = runOn({ user: { ...user, signedInAt: 5 * minute } }, 7 * minute);
    const due = runOn({ user: { ...user, signedInAt: 5 * minute } }, 8 * minute);

    assert.equal(recent?.extendedAt, undefined);
    assert.equal(due?.extendedAt, 8 * minute);
  });

  it('never changes a session without a sign-in (which would make express-session store it)', () => {
    const pending = runOn({ notice: 'hello' }, 60 * minute);
    runOn(undefined, 60 * minute);

    assert.deepEqual(pending, { notice: 'hello' });
  });
});
