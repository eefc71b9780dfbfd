// How the demo API checks a bearer token: an RFC 9068 JWT access token from the issuer, for this
// audience, signed with a key from the issuer's JWKS (discovered once, rediscovered after a failure).
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export type AccessTokenVerifier = (token: string) => Promise<JWTPayload>;

/** Thrown when the token itself is unacceptable (as opposed to the issuer being unreachable). */
export class InvalidTokenError extends Error {
  readonly description: string;
  constructor(description: string, options?: ErrorOptions) {
    super(description, options);
    this.name = 'InvalidTokenError';
    this.description = description;
  }
}

export function createAccessTokenVerifier(issuer: string, audience: string): AccessTokenVerifier {
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  return async (token) => {
    // A provider that was down is tried again on the next request, not cached as a failure.
    keySet ??= discoverKeySet(issuer).catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    try {
      const { payload } = await jwtVerify(token, await keySet, { issuer, audience, typ: 'at+jwt' });
      return payload;
    } catch (error) {
      throw toInvalidTokenError(error) ?? error;
    }
  };
}

async function discoverKeySet(issuer: string): Promise<ReturnType<typeof createRemoteJWKSet>> {
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const response = await fetch(new URL('.well-known/openid-configuration', base), {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`Discovery at ${issuer} answered HTTP ${response.status}`);
  const metadata: unknown = await response.json();
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    !('issuer' in metadata) ||
    // RFC 8414 §3.3: the metadata must name the issuer it was fetched for.
    metadata.issuer !== issuer ||
    !('jwks_uri' in metadata) ||
    typeof metadata.jwks_uri !== 'string'
  ) {
    throw new Error(`Discovery at ${issuer} returned no jwks_uri for that issuer`);
  }
  return createRemoteJWKSet(new URL(metadata.jwks_uri));
}

const malformedTokenErrors = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);
const unverifiableTokenErrors = new Set([
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

// Only these jose failures mean "this token is bad"; others (JWKS timeout, HTTP error) are ours.
function toInvalidTokenError(error: unknown): InvalidTokenError | undefined {
  if (!(error instanceof errors.JOSEError)) return undefined;
  if (error instanceof errors.JWTExpired) {
    return new InvalidTokenError('The access token expired', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(`The ${error.claim} claim of the access token is not accepted`, {
      cause: error,
    });
  }
  if (malformedTokenErrors.has(error.code)) {
    return new InvalidTokenError('The access token is not a valid JWT', { cause: error });
  }
  if (unverifiableTokenErrors.has(error.code)) {
    return new InvalidTokenError('The access token signature does not verify', { cause: error });
  }
  return undefined;
}
