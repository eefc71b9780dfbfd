import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as client from 'openid-client';
import { AppError, ApplicationTokenError, ProviderError } from '../../src/errors.ts';
import { mapProviderError, type ProviderStep } from '../../src/oidc/map-error.ts';

/** Provider text that must reach the log through `cause`, never the page. */
const providerText = 'details from the provider';

function responseBodyError(error: string, status = 400): client.ResponseBodyError {
  return new client.ResponseBodyError('server responded with an error in the response body', {
    cause: { error, error_description: providerText },
    response: new Response(null, { status }),
  });
}

function authorizationResponseError(error: string): client.AuthorizationResponseError {
  return new client.AuthorizationResponseError(
    'authorization response from the server is an error',
    { cause: new URLSearchParams({ error, error_description: providerText, state: 'abc' }) },
  );
}

function challengeError(error: string, status = 401): client.WWWAuthenticateChallengeError {
  return new client.WWWAuthenticateChallengeError(
    'server responded with a challenge in the WWW-Authenticate HTTP Header',
    {
      cause: [{ scheme: 'bearer', parameters: { error, error_description: providerText } }],
      response: new Response(null, { status }),
    },
  );
}

/** openid-client's constructor takes the code in its options, beyond the ErrorOptions it declares. */
function clientError(code: string): client.ClientError {
  const options: ErrorOptions & { code: string } = { code, cause: new Error(providerText) };
  return new client.ClientError(`openid-client failure ${code}`, options);
}

function networkError(): TypeError {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
  });
  return new TypeError('fetch failed', { cause: refused });
}

interface Row {
  name: string;
  error: () => unknown;
  step: ProviderStep;
  status: number;
  code: string;
  type: string;
  publicMessage?: RegExp;
}

const rows: Row[] = [
  {
    name: 'access_denied in the callback (the user cancelled)',
    error: () => authorizationResponseError('access_denied'),
    step: 'login',
    status: 400,
    code: 'provider_access_denied',
    type: 'LoginStateError',
    publicMessage: /cancelled or refused/,
  },
  {
    name: 'login_required in the callback',
    error: () => authorizationResponseError('login_required'),
    step: 'login',
    status: 400,
    code: 'provider_login_required',
    type: 'LoginStateError',
    publicMessage: /sign in again/,
  },
  {
    name: 'an unknown error in the callback',
    error: () => authorizationResponseError('temporarily_unavailable'),
    step: 'login',
    status: 400,
    code: 'provider_temporarily_unavailable',
    type: 'LoginStateError',
    publicMessage: /could not complete the sign-in/,
  },
  {
    name: 'invalid_grant from the token endpoint during a refresh',
    error: () => responseBodyError('invalid_grant'),
    step: 'refresh',
    status: 401,
    code: 'refresh_failed',
    type: 'TokenRefreshError',
    publicMessage: /sign in again/,
  },
  {
    name: 'invalid_grant from the token endpoint during the code exchange',
    error: () => responseBodyError('invalid_grant'),
    step: 'login',
    status: 400,
    code: 'code_rejected',
    type: 'LoginStateError',
    publicMessage: /already used or has expired/,
  },
  {
    name: 'invalid_grant during a revocation',
    error: () => responseBodyError('invalid_grant'),
    step: 'revocation',
    status: 502,
    code: 'provider_rejected',
    type: 'ProviderError',
  },
  {
    name: 'invalid_client from the token endpoint',
    error: () => responseBodyError('invalid_client', 401),
    step: 'login',
    status: 502,
    code: 'provider_rejected',
    type: 'ProviderError',
  },
  {
    name: 'a WWW-Authenticate invalid_client challenge',
    error: () => challengeError('invalid_client'),
    step: 'refresh',
    status: 502,
    code: 'provider_rejected',
    type: 'ProviderError',
  },
  {
    name: 'a WWW-Authenticate invalid_grant challenge during a refresh',
    error: () => challengeError('invalid_grant', 400),
    step: 'refresh',
    status: 401,
    code: 'refresh_failed',
    type: 'TokenRefreshError',
  },
  {
    name: 'invalid_scope from the token endpoint for an application token',
    error: () => responseBodyError('invalid_scope'),
    step: 'client-credentials',
    status: 502,
    code: 'application_token_refused',
    type: 'ApplicationTokenError',
  },
  {
    name: 'a WWW-Authenticate invalid_client challenge for an application token',
    error: () => challengeError('invalid_client'),
    step: 'client-credentials',
    status: 502,
    code: 'application_token_refused',
    type: 'ApplicationTokenError',
  },
  {
    name: 'a network TypeError while asking for an application token',
    error: networkError,
    step: 'client-credentials',
    status: 503,
    code: 'provider_unreachable',
    type: 'ProviderError',
  },
  {
    name: 'OAUTH_TIMEOUT',
    error: () => clientError('OAUTH_TIMEOUT'),
    step: 'discovery',
    status: 504,
    code: 'provider_timeout',
    type: 'ProviderError',
  },
  {
    name: 'OAUTH_INVALID_RESPONSE during the code exchange',
    error: () => clientError('OAUTH_INVALID_RESPONSE'),
    step: 'login',
    status: 400,
    code: 'callback_invalid',
    type: 'LoginStateError',
  },
  {
    name: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED (e.g. a nonce mismatch) during the code exchange',
    error: () => clientError('OAUTH_JWT_CLAIM_COMPARISON_FAILED'),
    step: 'login',
    status: 400,
    code: 'id_token_invalid',
    type: 'LoginStateError',
  },
  {
    name: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED during the code exchange',
    error: () => clientError('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'),
    step: 'login',
    status: 400,
    code: 'callback_invalid',
    type: 'LoginStateError',
  },
  {
    name: 'OAUTH_INVALID_RESPONSE during a refresh',
    error: () => clientError('OAUTH_INVALID_RESPONSE'),
    step: 'refresh',
    status: 502,
    code: 'provider_bad_response',
    type: 'ProviderError',
  },
  {
    name: 'OAUTH_RESPONSE_IS_NOT_CONFORM (a 500 from the provider)',
    error: () => clientError('OAUTH_RESPONSE_IS_NOT_CONFORM'),
    step: 'discovery',
    status: 502,
    code: 'provider_bad_response',
    type: 'ProviderError',
  },
  {
    name: 'a network TypeError caused by ECONNREFUSED',
    error: networkError,
    step: 'discovery',
    status: 503,
    code: 'provider_unreachable',
    type: 'ProviderError',
    publicMessage: /cannot be reached/,
  },
  {
    name: 'an AbortError',
    error: () => new DOMException('This operation was aborted', 'AbortError'),
    step: 'refresh',
    status: 503,
    code: 'provider_unreachable',
    type: 'ProviderError',
  },
  {
    name: 'a TypeError without a cause (a programming error, not the network)',
    error: () => new TypeError('configuration.serverMetadata is not a function'),
    step: 'login',
    status: 502,
    code: 'provider_failed',
    type: 'ProviderError',
  },
  {
    name: 'an unknown Error',
    error: () => new Error(providerText),
    step: 'login',
    status: 502,
    code: 'provider_failed',
    type: 'ProviderError',
  },
  {
    name: 'a thrown string',
    error: () => providerText,
    step: 'refresh',
    status: 502,
    code: 'provider_failed',
    type: 'ProviderError',
  },
];

describe('mapProviderError', () => {
  for (const row of rows) {
    it(`maps ${row.name} at ${row.step} to ${row.type} ${row.status} ${row.code}`, () => {
      const error = row.error();

      const mapped = mapProviderError(error, row.step);

      assert.deepEqual(
        { status: mapped.status, code: mapped.code, type: mapped.constructor.name },
        { status: row.status, code: row.code, type: row.type },
      );
      assert.equal(mapped.cause, error);
      assert.equal(mapped.publicMessage.includes(providerText), false, mapped.publicMessage);
      if (row.publicMessage) assert.match(mapped.publicMessage, row.publicMessage);
    });
  }

  it('keeps the OAuth error code and description of a refused application token for the command', () => {
    const mapped = mapProviderError(
      challengeError('unauthorized_client', 400),
      'client-credentials',
    );

    assert.ok(mapped instanceof ApplicationTokenError);
    assert.deepEqual(
      { oauthError: mapped.oauthError, description: mapped.description },
      { oauthError: 'unauthorized_client', description: providerText },
    );
  });

  it('returns an AppError unchanged', () => {
    const error = new ProviderError(504, 'provider_timeout', 'Slow', 'Too slow.');

    const mapped = mapProviderError(error, 'refresh');

    assert.equal(mapped, error);
  });

  it('keeps a code built from a long provider error within 64 characters', () => {
    const error = authorizationResponseError('x'.repeat(200));

    const mapped = mapProviderError(error, 'login');

    assert.ok(mapped instanceof AppError);
    assert.equal(mapped.code.length, 64);
    assert.ok(mapped.code.startsWith('provider_x'));
  });
});
