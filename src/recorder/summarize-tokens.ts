// What /flow may show of the tokens in a token request and its response: a JWT's header and
// payload decoded (the user's own claims; never its signature), a refresh token only as a short
// fingerprint, so a rotation can be seen without the value ever being kept.
import { createHash } from 'node:crypto';
import type { DecodedJwt, TokenSummary } from '../protocol.ts';

/** Hex digits of SHA-256 kept: enough to tell two tokens apart, far too few to learn anything. */
const fingerprintLength = 8;

/** A few hex digits of the SHA-256 of a secret: the same token gives the same fingerprint. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, fingerprintLength);
}

/** A compact JWS's header and payload (RFC 7515 §7.1), or undefined when the value is no JWT. */
export function decodeJwt(value: string): DecodedJwt | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload] = parts.slice(0, 2).map(decodeJsonPart);
  return header && payload ? { header, payload } : undefined;
}

/**
 * The summary of a token endpoint exchange: `sent` are the request's parameters, `answer` the
 * response's JSON fields, both before redaction.
 */
export function summarizeTokens(
  sent: Record<string, unknown>,
  answer: Record<string, unknown>,
): TokenSummary {
  const { id_token: idToken, access_token: accessToken, refresh_token: received } = answer;
  const decodedId = typeof idToken === 'string' ? decodeJwt(idToken) : undefined;
  return {
    ...(decodedId && { idToken: decodedId }),
    ...(typeof accessToken === 'string' && {
      accessToken: decodeJwt(accessToken)?.payload ?? 'opaque',
    }),
    ...(typeof sent.refresh_token === 'string' && {
      refreshTokenSent: fingerprint(sent.refresh_token),
    }),
    ...(typeof received === 'string' && { refreshTokenReceived: fingerprint(received) }),
  };
}

function decodeJsonPart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
