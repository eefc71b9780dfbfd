import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PendingLogin, pendingLoginAnswered } from '../../src/protocol.ts';

const login: PendingLogin = {
  codeVerifier: 'verifier',
  nonce: 'nonce',
  returnTo: '/',
  expiresAt: Date.now() + 60_000,
};
const pendingLogins = { 'state-a': login, 'state-b': login };

describe('pendingLoginAnswered', () => {
  it('names the state of a callback that answers a sign-in this browser started', () => {
    const query = new URLSearchParams({ code: 'c', state: 'state-b' });
    assert.equal(pendingLoginAnswered(query, pendingLogins), 'state-b');
  });

  it('answers an error callback too: the state, not the code, binds it to the browser', () => {
    const query = new URLSearchParams({ error: 'access_denied', state: 'state-a' });
    assert.equal(pendingLoginAnswered(query, pendingLogins), 'state-a');
  });

  const refused: [
    name: string,
    query: string,
    pending: Record<string, PendingLogin> | undefined,
  ][] = [
    ['no state', 'code=c', pendingLogins],
    ['an empty state', 'code=c&state=', pendingLogins],
    ['a state this browser never started', 'code=c&state=state-x', pendingLogins],
    ['a state given twice, even the same one', 'state=state-a&state=state-a', pendingLogins],
    ['two states, one of them pending', 'state=state-x&state=state-a', pendingLogins],
    ['a session with no sign-in in progress', 'code=c&state=state-a', undefined],
    ['a name inherited by every object', 'code=c&state=constructor', pendingLogins],
    ['the prototype itself', 'code=c&state=__proto__', pendingLogins],
  ];
  for (const [name, query, pending] of refused) {
    it(`refuses ${name}`, () => {
      assert.equal(pendingLoginAnswered(new URLSearchParams(query), pending), undefined);
    });
  }
});
