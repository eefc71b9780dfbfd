import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSignOut } from '../../src/flow/sign-out.ts';
import type { SignOutRecord } from '../../src/protocol.ts';

describe('describeSignOut', () => {
  // Each outcome: what /flow's line says, and what the notice says, of the same fact.
  const refreshTokenCases: Array<[SignOutRecord['revocation'], RegExp, RegExp]> = [
    ['revoked', /^revoked at the provider/, /your refresh token was revoked at the provider/],
    ['not-issued', /^none had been issued/, /no refresh token had been issued/],
    [
      'no-endpoint',
      /no revocation endpoint; it stays valid/,
      /no revocation endpoint, so .* valid/,
    ],
    ['failed', /^revocation failed; it stays valid/, /revoking your refresh token failed/],
  ];
  for (const [revocation, line, clause] of refreshTokenCases) {
    it(`says the same of a refresh token ${revocation} on /flow and in the notice`, () => {
      const words = describeSignOut({ at: 0, revocation, endSession: 'redirected' });

      assert.match(words.refreshToken, line);
      assert.match(words.notice, clause);
    });
  }

  it("says whether the provider's session was ended, on /flow and in the notice", () => {
    const redirected = describeSignOut({ at: 0, revocation: 'revoked', endSession: 'redirected' });
    const notOffered = describeSignOut({ at: 0, revocation: 'revoked', endSession: 'not-offered' });

    assert.match(redirected.providerSession, /^you were sent to the provider's end-session page/);
    assert.match(redirected.notice, /; you were sent to the provider's end-session page/);
    assert.match(notOffered.providerSession, /^not ended: the provider offers no end_session/);
    assert.match(notOffered.notice, /no end-session endpoint, so your session there may still/);
  });
});
