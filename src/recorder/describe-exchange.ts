// Turns one exchange into a FlowStep: a call the server made (its request and what came back) or a
// redirect the browser followed. Secrets are redacted before anything is kept.
import type { FlowStep, FlowStepKind } from '../protocol.ts';
import { redactFields, withoutQuery } from './redact.ts';

/** A response body larger than this is not shown (nor read further). */
const maxFieldsBytes = 16_384;

/** A call made with fetch: its parameters (query, form body, Authorization) and its answer's fields. */
export async function describeExchange(
  url: URL,
  options: RequestInit,
  response: Response,
  at: number,
): Promise<FlowStep> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (options.body instanceof URLSearchParams || typeof options.body === 'string') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(options.body.toString())));
  }
  const authorization = new Headers(options.headers).get('authorization');
  if (authorization !== null) params.authorization = authorization;
  const kind = kindOf(params, authorization, new Headers(options.headers).get('accept'));
  // An API's answer is the page's business, not the flow's: only its status is kept.
  const fields = kind === 'bearer-call' ? {} : await readFields(response);
  return {
    at,
    kind,
    request: {
      method: options.method ?? 'GET',
      url: withoutQuery(url),
      params: redactFields(params),
    },
    response: { status: response.status, fields: redactFields(fields) },
  };
}

/** The browser sent to the provider: the authorization request, or the provider's sign-out. */
export function describeRedirect(location: string, at: number): FlowStep | undefined {
  if (!URL.canParse(location)) return undefined;
  const url = new URL(location);
  const params = Object.fromEntries(url.searchParams);
  const kind: FlowStepKind | undefined =
    'response_type' in params
      ? 'authorization-request'
      : 'post_logout_redirect_uri' in params || 'id_token_hint' in params
        ? 'end-session'
        : undefined;
  if (!kind) return undefined;
  return {
    at,
    kind,
    request: { method: 'GET', url: withoutQuery(url), params: redactFields(params) },
  };
}

/** The browser back from the provider at the callback (RFC 6749 §4.1.2), its query redacted. */
export function describeAuthorizationResponse(
  path: string,
  query: URLSearchParams,
  at: number,
): FlowStep {
  return {
    at,
    kind: 'authorization-response',
    request: { method: 'GET', url: path, params: redactFields(Object.fromEntries(query)) },
  };
}

function kindOf(
  params: Record<string, string>,
  authorization: string | null,
  accept: string | null,
): FlowStepKind {
  if (params.grant_type === 'authorization_code') return 'token-request';
  if (params.grant_type === 'refresh_token') return 'token-refresh';
  if (params.token_type_hint !== undefined && params.token !== undefined) return 'token-revocation';
  // openid-client's UserInfo request is the one call with a token that accepts a JWT answer (OIDC
  // Core §5.3.2: the answer may be signed); the API call and the OAuth 2.0 user endpoint do not.
  if (authorization !== null && accept?.includes('application/jwt')) return 'userinfo';
  if (authorization?.toLowerCase().startsWith('bearer ')) return 'bearer-call';
  return 'provider-call';
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
