import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUsedStates } from '../../src/session/used-states.ts';

describe('createUsedStates', () => {
  it('lets each state be used once until it expires', () => {
    const used = createUsedStates();

    assert.equal(used.use('state-a', 1_000, 0), true);
    assert.equal(used.use('state-a', 1_000, 10), false, 'a copy of the same callback');
    assert.equal(used.use('state-b', 1_000, 10), true, 'another sign-in');
  });

  it('forgets states whose sign-in expired, and keeps at most its limit', () => {
    const used = createUsedStates(2);
    used.use('old', 100, 0);
    used.use('newer', 5_000, 50);

    assert.equal(used.use('newest', 5_000, 200), true, 'the expired one made room');
    assert.equal(used.use('old', 5_000, 300), true, 'an expired state is forgotten');
    // 'newer' has not expired: only the limit of two can have dropped it.
    assert.equal(used.use('newer', 5_000, 400), true, 'over the limit: the oldest went');
  });
});
