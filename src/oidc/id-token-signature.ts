// The ID token's signature (OIDC Core §3.1.3.7 (6)–(8)): openid-client checks the claims but skips
// the signature of a token from the token endpoint, which TLS may stand in for. We verify it anyway
// (docs/decisions/013-id-token-signature.md): asymmetric algs with the provider's key set, HS* with
// the client secret (§10.1), `none` never.
import {
  compactVerify,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { ProviderError } from '../errors.ts';
import type { FetchLike } from '../recorder/flow-recorder.ts';

/** What an ID token's signature is checked with; built once per discovered configuration. */
export interface IdTokenSigningKeys {
  /** The provider's key set (jwks_uri), for RS*, PS*, ES*, EdDSA; absent if it publishes none. */
  providerKeys: JWTVerifyGetKey | undefined;
  /** The client secret's UTF-8 bytes, for HS* (OIDC Core §10.1); absent for clients without one. */
  clientSecret: Uint8Array | undefined;
  /** The provider's id_token_signing_alg_values_supported (RS256 if absent), never `none`. */
  algorithms: string[];
}

/**
 * The keys for this client and provider. The provider's key set (RFC 7517) is fetched with
 * `options.fetch` (the app's recording fetch) on first use by `fetchProviderKeys`.
 */
export function createSigningKeys(
  metadata: { jwks_uri?: string; id_token_signing_alg_values_supported?: string[] },
  options: { fetch: FetchLike; timeoutMs: number; clientSecret: string | undefined },
): IdTokenSigningKeys {
  return {
    providerKeys:
      metadata.jwks_uri === undefined
        ? undefined
        : fetchProviderKeys(new URL(metadata.jwks_uri), options.fetch, options.timeoutMs),
    clientSecret:
      options.clientSecret === undefined
        ? undefined
        : new TextEncoder().encode(options.clientSecret),
    // §3.1.3.7 (7): the algorithms the provider announces; an unsigned token is never accepted.
    // The one place the list is built: the ID token and the logout token checks both use it.
    algorithms: (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter(
      (alg) => alg !== 'none',
    ),
  };
}

/**
 * The provider's key set, fetched on first use and cached; jose fetches it again when a token
 * names a kid it does not hold (a key rotation), at most every 30 s, and when it is over 10 minutes old.
 */
export function fetchProviderKeys(
  jwksUri: URL,
  fetchImpl: FetchLike,
  timeoutMs: number,
): JWTVerifyGetKey {
  return createRemoteJWKSet(jwksUri, { timeoutDuration: timeoutMs, [customFetch]: fetchImpl });
}

// What jose throws when the token or its signature is bad, as opposed to the keys being unavailable.
export const signatureFaults = [
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

/**
 * Verifies an ID token's signature; its claims are openid-client's checks. Rejects with a
 * ProviderError: 502 `id_token_invalid` when the signature does not verify (the provider sent it,
 * over the back channel), 503 `jwks_unavailable` when the provider's keys cannot be fetched.
 */
export async function verifyIdTokenSignature(
  idToken: string,
  keys: IdTokenSigningKeys,
): Promise<void> {
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader(idToken);
  } catch (error) {
    throw signatureInvalid(error);
  }
  const alg = String(header.alg);
  const options = { algorithms: keys.algorithms };
  const { clientSecret, providerKeys } = keys;
  try {
    // §10.1: an HS* token is keyed with the client secret, never with a key of the key set (so a
    // public key cannot be passed off as an HMAC secret). A missing key is the token's fault too.
    if (alg.startsWith('HS')) {
      if (!clientSecret) throw new errors.JOSENotSupported(`${alg}, but this client has no secret`);
      await compactVerify(idToken, clientSecret, options);
    } else {
      if (!providerKeys)
        throw new errors.JOSENotSupported(`${alg}, but the provider has no jwks_uri`);
      await compactVerify(idToken, providerKeys, options);
    }
  } catch (error) {
    if (signatureFaults.some((fault) => error instanceof fault)) throw signatureInvalid(error);
    // The keys timed out, answered 5xx or garbage: not the token's fault.
    throw keysUnavailable(error);
  }
}

/** The provider's key set could not be fetched: a 503, whatever the token (try again later). */
export function keysUnavailable(cause: unknown): ProviderError {
  return new ProviderError(
    503,
    'jwks_unavailable',
    "The provider's signing keys cannot be fetched",
    "The provider's signing keys cannot be fetched.",
    cause,
  );
}

function signatureInvalid(cause: unknown): ProviderError {
  return new ProviderError(
    502,
    'id_token_invalid',
    "The identity provider's ID token did not verify",
    'The identity provider sent an ID token whose signature does not verify.',
    cause,
  );
}
