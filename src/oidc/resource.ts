// Calls the protected API with the access token as a Bearer credential (RFC 6750), or as a DPoP
// credential with a proof of possession (RFC 9449) when the tokens are bound to a key.
import * as client from 'openid-client';
import { ResourceError } from '../errors.ts';
import type { StoredTokens } from '../protocol.ts';
import type { DpopSigner } from './dpop.ts';

export type ResourceAnswer =
  | { isTokenRejected: false; status: number; contentType: string; body: string }
  /**
   * 401: the access token was refused (expired early or revoked): refresh once, then retry.
   * `challenge`: the error holding the API's parsed WWW-Authenticate, kept as a cause for the log.
   */
  | { isTokenRejected: true; challenge?: Error };

/** More than any page should show; the rest of a larger answer is never read into memory. */
const maxBodyBytes = 100_000;

/**
 * GETs `url` with the access token: `Bearer`, or `DPoP` with a proof signed by the key the tokens
 * are bound to (RFC 9449 §7). Rejects with a ResourceError when the API is down or failing.
 */
export async function callResource(
  configuration: client.Configuration,
  url: URL,
  tokens: Pick<StoredTokens, 'accessToken' | 'dpopKey'>,
  dpop: DpopSigner,
): Promise<ResourceAnswer> {
  let response: Response;
  try {
    // openid-client retries once with the nonce an API asks for (use_dpop_nonce, RFC 9449 §9).
    response = await client.fetchProtectedResource(
      configuration,
      tokens.accessToken,
      url,
      'GET',
      undefined,
      new Headers({ accept: 'application/json' }),
      await dpop.optionsFor(configuration, tokens.dpopKey),
    );
  } catch (error) {
    // openid-client throws, rather than resolves, when a 401 carries a parseable challenge.
    if (error instanceof client.WWWAuthenticateChallengeError && error.status === 401) {
      return { isTokenRejected: true, challenge: error };
    }
    throw mapResourceError(error);
  }
  if (response.status === 401) return { isTokenRejected: true };
  if (response.status >= 500) {
    throw new ResourceError(
      502,
      'api_failed',
      'The protected API failed',
      `The protected API answered with an error (HTTP ${response.status}).`,
    );
  }
  let body: string;
  try {
    body = await readText(response, maxBodyBytes);
  } catch (error) {
    // The connection dropped, or the timeout struck, in the middle of the body.
    throw mapResourceError(error);
  }
  return {
    isTokenRejected: false,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body,
  };
}

/** The body's first `maxBytes` as text; reading stops there and the rest is cancelled. */
async function readText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream.
  for await (const chunk of response.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function mapResourceError(error: unknown): ResourceError {
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 4xx with a challenge other than a 401 (e.g. 403 insufficient_scope, RFC 6750 §3.1): the
    // API answered and said no, which a retry will not change.
    return new ResourceError(
      403,
      'api_refused',
      'The protected API refused the call',
      `The protected API refused the call (HTTP ${error.status}).`,
      error,
    );
  }
  if (error instanceof client.ClientError && error.code === 'OAUTH_TIMEOUT') {
    return new ResourceError(
      504,
      'api_timeout',
      'The protected API did not answer in time',
      'The protected API took too long to answer.',
      error,
    );
  }
  return new ResourceError(
    502,
    'api_unreachable',
    'The protected API cannot be reached',
    'The protected API cannot be reached right now.',
    error,
  );
}
