// Turns one exchange into a FlowStep: a call the server made (its request and what came back) or a
// redirect the browser followed. Secrets are redacted before anything is kept.
import type { FlowStep, FlowStepKind } from '../protocol.ts';
import { describeSecret, redactFields, withoutQuery } from './redact.ts';
import { summarizeTokens } from './summarize-tokens.ts';

/** A response body larger than this is not shown (nor read further). */
const maxFieldsBytes = 16_384;

/**
 * A call made with fetch: its parameters (query, form body, Authorization, a DPoP proof decoded),
 * its answer's fields, how long it took, and for a token response what it carried.
 */
export async function describeExchange(
  url: URL,
  options: RequestInit,
  response: Response,
  timing: { at: number; durationMs: number },
): Promise<FlowStep> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (options.body instanceof URLSearchParams || typeof options.body === 'string') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(options.body.toString())));
  }
  const headers = new Headers(options.headers);
  const authorization = headers.get('authorization');
  if (authorization !== null) params.authorization = authorization;
  const proof = headers.get('dpop');
  if (proof !== null) Object.assign(params, decodeProof(proof));
  const kind = kindOf(params, authorization, headers.get('accept'));
  // An API's answer is the page's business, not the flow's: only its status is kept, with the
  // challenge of a refusal (RFC 6750 §3, RFC 9449 §7.1).
  const isApiCall = kind === 'bearer-call' || kind === 'dpop-call';
  const fields = isApiCall ? challengeOf(response) : await readFields(response);
  const isTokenResponse = kind === 'token-request' || kind === 'token-refresh';
  const tokens = isTokenResponse && response.ok ? summarizeTokens(params, fields) : undefined;
  // RFC 9449 §8, §9: the nonce a server wants in the next proof.
  const nonce = response.headers.get('dpop-nonce');
  if (nonce !== null) fields['dpop-nonce'] = nonce;
  const shownParams = redactFields(params);
  if (authorization !== null) shownParams.authorization = describeAuthorization(authorization);
  return {
    at: timing.at,
    kind,
    durationMs: timing.durationMs,
    request: { method: options.method ?? 'GET', url: withoutQuery(url), params: shownParams },
    response: { status: response.status, fields: redactFields(fields) },
    ...(tokens && { tokens }),
  };
}

/** An Authorization header as its scheme and the credentials' shape: `Bearer JWT, 812 characters (redacted)`. */
function describeAuthorization(header: string): string {
  const space = header.indexOf(' ');
  if (space === -1) return describeSecret(header);
  return `${header.slice(0, space)} ${describeSecret(header.slice(space + 1).trim())}`;
}

/**
 * The browser sent to the provider: the authorization request, or the provider's sign-out. The
 * app's redirect (its status) is the step's response: the browser made the request, not the server.
 */
export function describeRedirect(
  location: string,
  status: number,
  at: number,
): FlowStep | undefined {
  if (!URL.canParse(location)) return undefined;
  const url = new URL(location);
  const params = Object.fromEntries(url.searchParams);
  const kind: FlowStepKind | undefined =
    'response_type' in params || 'request_uri' in params
      ? 'authorization-request'
      : 'post_logout_redirect_uri' in params || 'id_token_hint' in params
        ? 'end-session'
        : undefined;
  if (!kind) return undefined;
  return {
    at,
    kind,
    request: { method: 'GET', url: withoutQuery(url), params: redactFields(params) },
    response: { status, fields: {} },
  };
}

// What an authorization response carries (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207, OIDC Session
// Management): only these are recorded, each cut to `maxRecordedLength` once redacted (a long code
// still shows its true length), so a crafted callback URL cannot make a step, or the memory that
// keeps it, as large as it likes.
const authorizationResponseParameters = [
  'code',
  'state',
  'iss',
  'session_state',
  'error',
  'error_description',
  'error_uri',
];
const maxRecordedLength = 256;

/** The browser back from the provider at the callback (RFC 6749 §4.1.2), its query redacted. */
export function describeAuthorizationResponse(
  path: string,
  query: URLSearchParams,
  at: number,
): FlowStep {
  const received: Record<string, string> = {};
  for (const name of authorizationResponseParameters) {
    const value = query.get(name);
    if (value !== null) received[name] = value;
  }
  const params = redactFields(received);
  for (const [name, value] of Object.entries(params)) {
    params[name] = value.slice(0, maxRecordedLength);
  }
  return { at, kind: 'authorization-response', request: { method: 'GET', url: path, params } };
}

function kindOf(
  params: Record<string, unknown>,
  authorization: string | null,
  accept: string | null,
): FlowStepKind {
  if (params.grant_type === 'authorization_code') return 'token-request';
  if (params.grant_type === 'refresh_token') return 'token-refresh';
  if (params.token_type_hint !== undefined && params.token !== undefined) return 'token-revocation';
  // RFC 9126 §2.1: the server posts what would have been the authorization URL's query.
  if (params.response_type !== undefined && params.grant_type === undefined)
    return 'pushed-authorization-request';
  // openid-client's UserInfo request is the one call with a token that accepts a JWT answer (OIDC
  // Core §5.3.2: the answer may be signed); the API call and the OAuth 2.0 user endpoint do not.
  if (authorization !== null && accept?.includes('application/jwt')) return 'userinfo';
  // The key set (RFC 7517 §8.5.1: application/jwk-set+json) is the one call that accepts that type.
  if (authorization === null && accept?.includes('application/jwk-set+json')) return 'jwks';
  if (authorization?.toLowerCase().startsWith('bearer ')) return 'bearer-call';
  if (authorization?.toLowerCase().startsWith('dpop ')) return 'dpop-call';
  return 'provider-call';
}

/**
 * A DPoP proof's header and claims (RFC 9449 §4.2): the public key, the method, the URL, the time,
 * the nonce and the access token's hash. Nothing in it is secret; its signature is left out.
 */
function decodeProof(proof: string): Record<string, unknown> {
  const [header, claims] = proof.split('.').map((part) => {
    try {
      const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
      return value && typeof value === 'object' ? value : undefined;
    } catch {
      return undefined;
    }
  });
  if (!header || !claims) return { dpop: 'not a JWT' };
  return { 'dpop (header)': header, 'dpop (claims)': claims };
}

function challengeOf(response: Response): Record<string, unknown> {
  const challenge = response.headers.get('www-authenticate');
  return response.status === 401 && challenge !== null ? { 'www-authenticate': challenge } : {};
}

/** The top-level fields of a JSON answer, reading at most `maxFieldsBytes` of a copy of it. */
async function readFields(response: Response): Promise<Record<string, unknown>> {
  if (!response.headers.get('content-type')?.includes('json') || !response.body) return {};
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.clone().body ?? []) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > maxFieldsBytes) return {};
    }
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
