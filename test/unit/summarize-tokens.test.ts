import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeJwt, fingerprint, summarizeTokens } from '../../src/recorder/summarize-tokens.ts';

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signature = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1iZS1rZXB0';
const idToken = `${encode({ alg: 'RS256', kid: 'key-1' })}.${encode({ sub: 'alice', nonce: 'n-1' })}.${signature}`;

describe('summarizeTokens', () => {
  it("decodes the ID token's header and payload and keeps no signature", () => {
    const summary = summarizeTokens({}, { id_token: idToken, access_token: 'opaque-access-token' });

    assert.deepEqual(summary.idToken, {
      header: { alg: 'RS256', kid: 'key-1' },
      payload: { sub: 'alice', nonce: 'n-1' },
    });
    assert.equal(summary.accessToken, 'opaque');
    assert.ok(!JSON.stringify(summary).includes(signature));
  });

  it('tells a rotated refresh token by fingerprints, never by its value', () => {
    const summary = summarizeTokens(
      { refresh_token: 'old-refresh-token-value' },
      { access_token: idToken, refresh_token: 'new-refresh-token-value' },
    );

    assert.equal(summary.refreshTokenSent, fingerprint('old-refresh-token-value'));
    assert.equal(summary.refreshTokenReceived, fingerprint('new-refresh-token-value'));
    assert.notEqual(summary.refreshTokenSent, summary.refreshTokenReceived);
    assert.deepEqual(summary.accessToken, { sub: 'alice', nonce: 'n-1' });
    assert.ok(!JSON.stringify(summary).includes('refresh-token-value'));
  });
});

describe('fingerprint', () => {
  it('is the first 8 hex digits of the SHA-256', () => {
    const hash = createHash('sha256').update('a-token').digest('hex');

    assert.equal(fingerprint('a-token'), hash.slice(0, 8));
  });
});

describe('decodeJwt', () => {
  it('reads only a three-part token whose parts are JSON objects', () => {
    assert.equal(decodeJwt('not-a-jwt'), undefined);
    assert.equal(decodeJwt(`${encode([1])}.${encode({})}.x`), undefined);
    assert.equal(decodeJwt('a.b.c'), undefined);
  });
});
