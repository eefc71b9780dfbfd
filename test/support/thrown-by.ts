// What a call that must fail threw, for assertions on the error itself (its class, code, cause).
import assert from 'node:assert/strict';

/** Resolves with what `work` rejects with, or fails the test when it resolves. */
export async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}
