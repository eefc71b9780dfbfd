// The dev provider's signing key: one RSA key, kept in a JSON file when asked so that ID tokens
// (id_token_hint at logout) and JWT access tokens issued before a restart still verify after it.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'oidc-provider';

export interface SigningKeys {
  keys: JWK[];
}

export async function loadSigningKeys(keysFile?: string): Promise<SigningKeys> {
  if (keysFile === undefined) return { keys: [await generateSigningKey()] };

  const existing = await readKeysFile(keysFile);
  if (existing) return existing;

  const created = { keys: [await generateSigningKey()] };
  await mkdir(dirname(keysFile), { recursive: true, mode: 0o700 });
  try {
    // Private keys: readable by the owner only; 'wx' never overwrites a file another process just wrote.
    await writeFile(keysFile, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return created;
  } catch (error) {
    const writtenMeanwhile = hasCode(error, 'EEXIST') ? await readKeysFile(keysFile) : undefined;
    if (writtenMeanwhile) return writtenMeanwhile;
    throw error;
  }
}

async function generateSigningKey(): Promise<JWK> {
  // RSA, because clients default to RS256 ID tokens (an EC-only key set breaks them).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = await calculateJwkThumbprint(privateKey);
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

async function readKeysFile(keysFile: string): Promise<SigningKeys | undefined> {
  let text: string;
  try {
    text = await readFile(keysFile, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isSigningKeys(parsed)) {
    throw new Error(`${keysFile} is not a JWKS with a private RSA key; delete it to get a new one`);
  }
  return parsed;
}

function isSigningKeys(value: unknown): value is SigningKeys {
  if (typeof value !== 'object' || value === null || !('keys' in value)) return false;
  const { keys } = value;
  return (
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every(
      (key: unknown) =>
        typeof key === 'object' && key !== null && 'kty' in key && key.kty === 'RSA' && 'd' in key,
    )
  );
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
