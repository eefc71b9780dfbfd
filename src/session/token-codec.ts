// How a token record's tokens become the text a store keeps, and back: plain JSON here, an
// encrypting codec (same shape) when TOKEN_ENCRYPTION_KEY is set.
import type { StoredTokens } from '../protocol.ts';

/**
 * What a token record belongs to. The encrypting codec binds its text to it: copied onto another
 * session, or relabelled with another sub or sid, the text no longer decodes.
 */
export interface TokenBinding {
  sessionId: string;
  sub: string;
  sid?: string;
}

/** Decoded tokens; `isStale` when the text should be written again (an old format or a retired key). */
export interface DecodedTokens {
  tokens: StoredTokens;
  isStale: boolean;
}

/** Turns tokens into stored text and back. `decode` answers undefined for text it cannot read. */
export interface TokenCodec {
  encode(tokens: StoredTokens, binding: TokenBinding): string;
  decode(text: string, binding: TokenBinding): DecodedTokens | undefined;
}

/** Parses the JSON of a `StoredTokens`, or undefined when it is not one. */
export function parseStoredTokens(json: string): StoredTokens | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const tokens = value as Record<string, unknown>;
  const hasRequired =
    typeof tokens.accessToken === 'string' &&
    typeof tokens.tokenType === 'string' &&
    (tokens.expiresAt === undefined || typeof tokens.expiresAt === 'number') &&
    (tokens.issuedAt === undefined || typeof tokens.issuedAt === 'number');
  const hasValidOptional = ['refreshToken', 'idToken', 'scope'].every(
    (key) => tokens[key] === undefined || typeof tokens[key] === 'string',
  );
  return hasRequired && hasValidOptional && isDpopKeyOrAbsent(tokens.dpopKey)
    ? (value as StoredTokens)
    : undefined;
}

function isDpopKeyOrAbsent(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  const key = value as Record<string, unknown>;
  return (
    key.kty === 'EC' &&
    key.crv === 'P-256' &&
    ['x', 'y', 'd'].every((name) => typeof key[name] === 'string')
  );
}

/** Stores tokens as plain JSON: the default when no encryption key is configured (nothing bound). */
export const plainTokenCodec: TokenCodec = {
  encode: (tokens) => JSON.stringify(tokens),
  decode(text) {
    const tokens = parseStoredTokens(text);
    return tokens && { tokens, isStale: false };
  },
};
