import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainScopes } from '../../src/routes/explain-scopes.ts';

const appScopes = 'openid profile email offline_access';
const allIssued = { hasIdToken: true, hasRefreshToken: true };

describe('explainScopes', () => {
  it('when the access token carries only the API scope then the others are placed in the ID token, UserInfo and the refresh token', () => {
    const explanation = explainScopes(`${appScopes} api:read`, 'api:read', allIssued);

    assert.deepEqual(explanation, {
      accessToken: ['api:read'],
      elsewhere: [
        { scopes: ['openid', 'profile', 'email'], wentTo: 'the ID token and UserInfo' },
        { scopes: ['offline_access'], wentTo: 'the refresh token' },
      ],
    });
  });

  it('when the provider added a scope the app did not ask for then the access token still lists it', () => {
    const explanation = explainScopes(appScopes, 'api:read', allIssued);

    assert.deepEqual(explanation.accessToken, ['api:read']);
  });

  it('when no refresh token was issued then offline_access says so', () => {
    const explanation = explainScopes(appScopes, 'openid profile email', {
      hasIdToken: true,
      hasRefreshToken: false,
    });

    assert.deepEqual(explanation.elsewhere, [
      { scopes: ['offline_access'], wentTo: 'no refresh token was issued' },
    ]);
  });

  it('when a requested API scope is missing from a reported scope then it was not granted', () => {
    const explanation = explainScopes('openid api:write', 'openid', allIssued);

    assert.deepEqual(explanation.elsewhere, [{ scopes: ['api:write'], wentTo: 'not granted' }]);
  });

  it('when the provider reported no scope then API scopes are not called refused', () => {
    const explanation = explainScopes('openid api:read', undefined, allIssued);

    assert.equal(explanation.accessToken, undefined);
    assert.deepEqual(explanation.elsewhere, [
      { scopes: ['openid'], wentTo: 'the ID token and UserInfo' },
      { scopes: ['api:read'], wentTo: 'not reported by the provider' },
    ]);
  });

  it('when there is no ID token (plain OAuth 2.0) then identity scopes say so', () => {
    const explanation = explainScopes('openid read:user', 'read:user', {
      hasIdToken: false,
      hasRefreshToken: false,
    });

    assert.deepEqual(explanation.elsewhere, [
      { scopes: ['openid'], wentTo: 'no ID token was issued' },
    ]);
  });
});
