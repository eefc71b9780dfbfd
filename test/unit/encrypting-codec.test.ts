import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredTokens } from '../../src/protocol.ts';
import { createEncryptingCodec, createSealer } from '../../src/session/encrypting-codec.ts';

const oldKey = Buffer.alloc(32, 3);
const newKey = Buffer.alloc(32, 4);
const tokens: StoredTokens = {
  accessToken: 'access-1',
  tokenType: 'Bearer',
  refreshToken: 'refresh-1',
  expiresAt: 1_767_225_600_000,
};
const alice = { sessionId: 'session-a', sub: 'alice', sid: 'op-1' };

// Written by the previous version (before records were bound) with `oldKey`, for these tokens:
// { accessToken: 'access-from-v1', tokenType: 'Bearer', refreshToken: 'refresh-from-v1', expiresAt: 1767225600000 }
const unboundRecord =
  'v1.ZIqlxXn7.qVAD60EGxnmmdnbc.xdEm85-dLRjZ9NqgE2ew0zYit_fVty6rXu4kqGSPuOcRjpAR4Ml_VdHjlRz7kkRUaNT7S4S2taeHK4Nlp4_eOPl3ZEMUWKfK6ucWcyN8M1e5GAjfm4F9lQqiEQX1BoPTyCel-DmwsPpvaj_Ms7Jo_Q.bQmkeXsGfK4hMoDiiZp6fg';

describe('the encrypting token codec', () => {
  it('decodes a record for the session, subject and provider session it was encoded for', () => {
    const codec = createEncryptingCodec([newKey]);

    const decoded = codec.decode(codec.encode(tokens, alice), alice);

    assert.deepEqual(decoded, { tokens, isStale: false });
  });

  it('decodes nothing when the record is moved to another session or relabelled', () => {
    const codec = createEncryptingCodec([newKey]);
    const text = codec.encode(tokens, alice);

    const moved = codec.decode(text, { ...alice, sessionId: 'session-b' });
    const otherSub = codec.decode(text, { ...alice, sub: 'bob' });
    const otherSid = codec.decode(text, { ...alice, sid: 'op-2' });
    const noSid = codec.decode(text, { sessionId: alice.sessionId, sub: alice.sub });

    assert.deepEqual(
      [moved, otherSub, otherSid, noSid],
      [undefined, undefined, undefined, undefined],
    );
  });

  it('reads a record written by the previous version, unbound, and marks it for re-encryption', () => {
    const codec = createEncryptingCodec([newKey, oldKey]);

    const decoded = codec.decode(unboundRecord, alice);

    assert.equal(decoded?.tokens.accessToken, 'access-from-v1');
    assert.equal(decoded.tokens.refreshToken, 'refresh-from-v1');
    assert.equal(decoded.isStale, true);
  });

  it('marks a record under a retired key for re-encryption, and the re-encrypted one opens with the current key alone', () => {
    const retired = createEncryptingCodec([oldKey]).encode(tokens, alice);
    const rotated = createEncryptingCodec([newKey, oldKey]);

    const decoded = rotated.decode(retired, alice);
    const reencrypted = rotated.encode(tokens, alice);

    assert.deepEqual(decoded, { tokens, isStale: true });
    assert.deepEqual(createEncryptingCodec([newKey]).decode(reencrypted, alice), {
      tokens,
      isStale: false,
    });
    assert.equal(createEncryptingCodec([newKey]).decode(retired, alice), undefined);
  });

  it('decodes nothing from text no key opens, or that is not a record', () => {
    const codec = createEncryptingCodec([newKey]);
    const sealed = codec.encode(tokens, alice);
    const [format, keyId, iv, ciphertext, tag] = sealed.split('.');
    const flipped = `${ciphertext?.startsWith('A') ? 'B' : 'A'}${ciphertext?.slice(1)}`;

    const answers = [
      'not json',
      JSON.stringify(tokens),
      [format, keyId, iv, flipped, tag].join('.'),
      [format, 'unknown', iv, ciphertext, tag].join('.'),
      createEncryptingCodec([oldKey]).encode(tokens, alice),
    ].map((text) => codec.decode(text, alice));

    assert.deepEqual(answers, Array(5).fill(undefined));
  });
});

describe('the sealer', () => {
  it('opens sealed text only for the context it was sealed for', () => {
    const sealer = createSealer([newKey]);
    const text = sealer.seal('{"user":"alice"}', 'session-a');

    const opened = sealer.open(text, 'session-a');
    const elsewhere = sealer.open(text, 'session-b');

    assert.deepEqual(opened, { plaintext: '{"user":"alice"}', isStale: false });
    assert.equal(elsewhere, undefined);
    assert.ok(!text.includes('alice'));
  });

  it('never opens an unbound record of the previous version', () => {
    const sealer = createSealer([oldKey]);

    assert.equal(sealer.open(unboundRecord, 'session-a'), undefined);
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => createSealer([Buffer.alloc(16)]), /32-byte keys/);
    assert.throws(() => createSealer([]), /32-byte keys/);
  });
});

describe('a DPoP key kept with the tokens', () => {
  const dpopKey = {
    kty: 'EC',
    crv: 'P-256',
    x: 'public-x',
    y: 'public-y',
    d: 'private-d',
  } as const;
  const bound: StoredTokens = { ...tokens, tokenType: 'DPoP', dpopKey };

  it('is encrypted with the tokens and decoded with them', () => {
    const codec = createEncryptingCodec([newKey]);

    const text = codec.encode(bound, alice);
    const decoded = codec.decode(text, alice);

    assert.equal(text.includes('private-d'), false);
    assert.deepEqual(decoded, { tokens: bound, isStale: false });
  });

  it('makes the record unreadable (signed out) when it is not a P-256 private JWK', () => {
    const codec = createEncryptingCodec([newKey]);
    const spoiled = { ...bound, dpopKey: { ...dpopKey, d: 42 } } as unknown as StoredTokens;

    const decoded = codec.decode(codec.encode(spoiled, alice), alice);

    assert.equal(decoded, undefined);
  });
});
