import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as client from 'openid-client';
import { scrub, serializeError } from '../../src/http/logger.ts';
import { describeSecret, redactFields } from '../../src/recorder/redact.ts';

const jwt =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsImF1ZCI6ImFwcCJ9.c2lnbmF0dXJlLXZhbHVlLXhZeg';
const opaque = 'Zq9XkWv7RtYp3LmNQ2hd';

/** Every 4-character piece of `secret`: none of them may survive redaction. */
function piecesOf(secret: string): string[] {
  return Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4));
}

function assertNoPieceOf(secret: string, text: string): void {
  const leaked = piecesOf(secret).filter((piece) => text.includes(piece));
  assert.deepEqual(leaked, [], `${JSON.stringify(text)} shows part of the secret`);
}

describe('scrub', () => {
  it('replaces a JWT in a message', () => {
    const result = scrub(`id token ${jwt} failed validation`);

    assert.equal(result, 'id token [jwt redacted] failed validation');
  });

  for (const name of [
    'code',
    'access_token',
    'refresh_token',
    'id_token',
    'client_secret',
    'token',
    'code_verifier',
  ]) {
    it(`replaces the value of ${name}= and keeps the parameters beside it`, () => {
      const result = scrub(`POST /token grant_type=x&${name}=${opaque}&scope=openid failed`);

      assert.equal(result, `POST /token grant_type=x&${name}=[redacted]&scope=openid failed`);
    });
  }

  it('leaves a message without secrets unchanged', () => {
    const message = 'token endpoint answered 503 for scope=openid';

    const result = scrub(message);

    assert.equal(result, message);
  });
});

describe('serializeError', () => {
  it('keeps type, message, code, status, error and cause, and drops every other property', () => {
    const cause = new Error('upstream said no');
    const error = Object.assign(new Error('token request failed', { cause }), {
      code: 'OAUTH_RESPONSE_BODY_ERROR',
      status: 400,
      error: 'invalid_grant',
      response: { body: `{"access_token":"${opaque}"}` },
      body: { refresh_token: opaque },
      headers: { authorization: `Bearer ${opaque}` },
    });

    const result = serializeError(error);

    assert.deepEqual(result, {
      type: 'Error',
      message: 'token request failed',
      code: 'OAUTH_RESPONSE_BODY_ERROR',
      status: 400,
      error: 'invalid_grant',
      cause: { type: 'Error', message: 'upstream said no' },
    });
    assertNoPieceOf(opaque, JSON.stringify(result));
  });

  it('drops the response and body of a real ResponseBodyError', () => {
    const error = new client.ResponseBodyError('server responded with an error', {
      cause: { error: 'invalid_grant', refresh_token: opaque },
      response: new Response(`{"refresh_token":"${opaque}"}`, { status: 400 }),
    });

    const result = serializeError(error);

    assert.equal(result.type, 'ResponseBodyError');
    assert.equal(result.error, 'invalid_grant');
    assert.equal(result.status, 400);
    assertNoPieceOf(opaque, JSON.stringify(result));
  });

  it('does not log the state and code of an authorization response', () => {
    const state = 'st4te-Kq8WzY1vXn';
    const error = new client.AuthorizationResponseError('authorization response is an error', {
      cause: new URLSearchParams({ error: 'access_denied', state, code: opaque }),
    });

    const result = serializeError(error);

    const text = JSON.stringify(result);
    assert.equal(result.error, 'access_denied');
    assertNoPieceOf(opaque, text);
    assertNoPieceOf(state, text);
  });

  it('scrubs tokens in the messages of the error and its causes', () => {
    const error = new Error(`refresh_token=${opaque} rejected`, {
      cause: new Error(`bad id token ${jwt}`),
    });

    const result = serializeError(error);

    const text = JSON.stringify(result);
    assertNoPieceOf(opaque, text);
    assert.equal(text.includes(jwt.slice(0, 20)), false);
    assert.equal(result.cause?.message, 'bad id token [jwt redacted]');
  });

  it('drops a code or status of the wrong type', () => {
    const error = Object.assign(new Error('odd'), { code: 42, status: '500', error: { x: 1 } });

    const result = serializeError(error);

    assert.deepEqual(result, { type: 'Error', message: 'odd' });
  });

  it('follows at most three causes', () => {
    let error = new Error('level 5');
    for (const level of [4, 3, 2, 1, 0]) error = new Error(`level ${level}`, { cause: error });

    const result = serializeError(error);

    assert.equal(result.cause?.cause?.cause?.message, 'level 3');
    assert.equal(result.cause?.cause?.cause?.cause, undefined);
  });

  it('cuts a long message to 500 characters', () => {
    const error = new Error('x'.repeat(2000));

    const result = serializeError(error);

    assert.equal(result.message.length, 500);
  });

  it('describes a thrown value that is not an Error', () => {
    const result = serializeError(`failed with code=${opaque}`);

    assert.deepEqual(result, { type: 'string', message: 'failed with code=[redacted]' });
  });
});

describe('redactFields', () => {
  const secretFields = [
    'code',
    'code_verifier',
    'client_secret',
    'access_token',
    'refresh_token',
    'id_token',
    'authorization',
    'Authorization',
    'client_assertion',
  ];

  for (const name of secretFields) {
    it(`hides every part of ${name}`, () => {
      const value = name === 'id_token' || name === 'client_assertion' ? jwt : opaque;

      const shown = redactFields({ [name]: value });

      assert.equal(shown[name], describeSecret(value));
      assertNoPieceOf(value, JSON.stringify(shown));
    });
  }

  it('shows token_type, scope, expires_in, state and redirect_uri as they are', () => {
    const fields = {
      token_type: 'Bearer',
      scope: 'openid profile offline_access',
      expires_in: 3600,
      state: 'af0ifjsldkj',
      redirect_uri: 'https://app.example.com/callback',
    };

    const shown = redactFields(fields);

    assert.deepEqual(shown, {
      token_type: 'Bearer',
      scope: 'openid profile offline_access',
      expires_in: '3600',
      state: 'af0ifjsldkj',
      redirect_uri: 'https://app.example.com/callback',
    });
  });

  it('hides a secret field that holds an object', () => {
    const shown = redactFields({ access_token: { value: opaque } });

    assertNoPieceOf(opaque, JSON.stringify(shown));
  });

  it('hides secrets nested in objects and arrays, under names it has not listed (Slack, device flow)', () => {
    const response = {
      ok: true,
      authed_user: { id: 'U1', access_token: opaque, scope: 'chat:write' },
      device_secret: 'DEVICE-SECRET-VALUE',
      extra: [{ refresh_token: jwt }],
    };

    const shown = redactFields(response);

    for (const secret of [opaque, jwt, 'DEVICE-SECRET-VALUE'])
      assertNoPieceOf(secret, JSON.stringify(shown));
    assert.match(shown.authed_user ?? '', /"scope":"chat:write"/);
  });

  it('shows PKCE challenge parameters, which are not secret', () => {
    const shown = redactFields({
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });

    assert.deepEqual(shown, {
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
  });

  it('leaves out fields without a value', () => {
    const shown = redactFields({ scope: undefined, state: 'xyz' });

    assert.deepEqual(shown, { state: 'xyz' });
  });
});

describe('describeSecret', () => {
  it('names a JWT and its length only', () => {
    const result = describeSecret(jwt);

    assert.equal(result, `JWT, ${jwt.length} characters (redacted)`);
  });

  it('names an opaque value and its length only', () => {
    const result = describeSecret(opaque);

    assert.equal(result, `value, ${opaque.length} characters (redacted)`);
  });
});

describe('serializeError: what a provider or API answered', () => {
  it('logs an OAuth error answer as error and error_description, not the body as "[object Object]"', () => {
    const body = { error: 'invalid_grant', error_description: 'grant request is invalid', x: 1 };
    const error = Object.assign(new Error('server responded with an error', { cause: body }), {
      error: body.error,
      error_description: body.error_description,
    });

    const result = serializeError(error);

    assert.equal(result.error, 'invalid_grant');
    assert.equal(result.error_description, 'grant request is invalid');
    assert.equal(result.cause, undefined);
  });

  it('logs the parameters of WWW-Authenticate challenges that say why, and no others', () => {
    const challenges = [
      {
        scheme: 'bearer',
        parameters: { error: 'insufficient_scope', scope: 'api:write', other: 'left out' },
      },
    ];
    const error = new Error('server responded with a challenge', { cause: challenges });

    const result = serializeError(error);

    assert.deepEqual(result.www_authenticate, [
      { scheme: 'bearer', error: 'insufficient_scope', scope: 'api:write' },
    ]);
    assert.equal(JSON.stringify(result).includes('left out'), false);
  });
});
