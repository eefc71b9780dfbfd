// Asserts that raw store content holds none of a record's tokens in clear.
import assert from 'node:assert/strict';
import type { TokenRecord } from '../../src/session/token-store.ts';

export function assertNoTokensIn(raw: string, record: TokenRecord | undefined): void {
  const { accessToken, refreshToken, idToken } = record?.tokens ?? {};
  assert.ok(accessToken && refreshToken && idToken, 'the record holds all three tokens');
  for (const token of [accessToken, refreshToken, idToken]) {
    assert.ok(!raw.includes(token), 'a token is stored in clear');
  }
}
