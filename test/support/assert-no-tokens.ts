// Asserts that text (raw store content, pages, log lines) holds none of a record's tokens in clear.
import assert from 'node:assert/strict';
import type { TokenRecord } from '../../src/session/token-store.ts';

/** `where` names the text in the failure message, e.g. 'a page' or 'the log'. */
export function assertNoTokensIn(
  raw: string,
  record: TokenRecord | undefined,
  where = 'the store',
): void {
  const { accessToken, refreshToken, idToken } = record?.tokens ?? {};
  assert.ok(accessToken && refreshToken && idToken, 'the record holds all three tokens');
  for (const token of [accessToken, refreshToken, idToken]) {
    assert.ok(!raw.includes(token), `a token value appears in clear in ${where}`);
  }
}

/** Asserts that text holds no part of the private DPoP key a record keeps (its `d`). */
export function assertNoDpopKeyIn(
  raw: string,
  record: TokenRecord | undefined,
  where: string,
): void {
  const privatePart = record?.tokens.dpopKey?.d;
  assert.ok(privatePart, 'the record holds a DPoP private key');
  assert.ok(!raw.includes(privatePart), `the DPoP private key appears in ${where}`);
}
