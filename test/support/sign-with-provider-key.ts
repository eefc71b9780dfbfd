// Tokens as the dev provider signs them (RS256 with the first key of its keys file), and forgeries
// that name the provider's key but are signed with another one.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  type CryptoKey,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

type Header = Record<string, unknown>;

/** Signs `claims` with the provider's key; `header` adds to (or replaces) alg and kid. */
export async function signWithProviderKey(
  keysFile: string,
  claims: JWTPayload,
  header: Header = {},
): Promise<string> {
  const jwk = await providerKey(keysFile);
  return sign(claims, { kid: jwk.kid, ...header }, await importJWK(jwk, 'RS256'));
}

/** Signs `claims` with a fresh key while the header names the provider's key (its kid). */
export async function forgeWithProviderKid(
  keysFile: string,
  claims: JWTPayload,
  header: Header = {},
): Promise<string> {
  const jwk = await providerKey(keysFile);
  const { privateKey } = await generateKeyPair('RS256');
  return sign(claims, { kid: jwk.kid, ...header }, privateKey);
}

async function providerKey(keysFile: string): Promise<JWK & { kid: string }> {
  const { keys } = JSON.parse(await readFile(keysFile, 'utf8')) as { keys: JWK[] };
  const jwk = keys[0] ?? assert.fail('no key in the keys file');
  assert.ok(jwk.kid, 'the provider key has a kid');
  return { ...jwk, kid: jwk.kid };
}

function sign(claims: JWTPayload, header: Header, key: CryptoKey | Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', ...header }).sign(key);
}
