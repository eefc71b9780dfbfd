// A stand-in for GitHub's OAuth apps on 127.0.0.1: no discovery and no ID token; an automatic
// "approve"; token answers form-encoded unless JSON is asked for, errors as HTTP 200 with an
// `error` field; a user endpoint that wants a User-Agent. Also a small API that takes its tokens.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TestContext } from 'node:test';
import { readFormBody } from '../../src/dev/read-form-body.ts';
import { listenLocal } from './local-server.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body of a token request (secrets included: this is the test's own provider). */
  form?: URLSearchParams;
}

export interface GitHubLikeProvider {
  /** http://127.0.0.1:<port>: /login/oauth/authorize, /login/oauth/access_token, /user, /api/me. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** Forgets every code issued so far, as GitHub does after ten minutes. */
  expireCodes(): void;
  /** Forgets every token it issued, as when the user revokes the app at GitHub. */
  revokeAllTokens(): void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A token endpoint answer, before it is encoded as JSON or as a form. */
type Fields = Record<string, string | number>;

interface IssuedCode {
  redirectUri: string;
  challenge: string | undefined;
  scope: string;
}

export const octocat = {
  id: 12345,
  login: 'octocat',
  name: 'The Octocat',
  email: 'octocat@example.com',
};
// The registered "Authorization callback URL". On loopback GitHub lets redirect_uri use any port.
const callbackPath = '/callback';
const accessTokenSeconds = 8 * 60 * 60;
const noUserAgentMessage =
  'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.';

/**
 * Starts the provider for the test (closed after it). `hasExpiringTokens` makes it behave like a
 * GitHub App with expiring user tokens: `expires_in` of 8 hours and a refresh token, rotated on use.
 */
export async function startGitHubLikeProvider(
  t: TestContext,
  { hasExpiringTokens = false } = {},
): Promise<GitHubLikeProvider> {
  const clientId = `Ov23li${randomHex(7)}`;
  const clientSecret = randomHex(20);
  const requests: SeenRequest[] = [];
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, { scope: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();

  function authorize(query: URLSearchParams): Answer {
    if (query.get('client_id') !== clientId) return json(404, { message: 'Not Found' });
    const redirectUri = URL.parse(query.get('redirect_uri') ?? `http://127.0.0.1${callbackPath}`);
    // RFC 6749 §4.1.2.1: an unregistered redirect URI gets an error page, never a redirect.
    if (!redirectUri || !isRegisteredCallback(redirectUri))
      return text(400, 'The redirect_uri is not associated with this application.');
    const challenge = query.get('code_challenge') ?? undefined;
    if (challenge && query.get('code_challenge_method') !== 'S256')
      return text(400, 'The code_challenge_method must be S256.');
    const code = randomHex(10);
    codes.set(code, {
      redirectUri: redirectUri.href,
      challenge,
      scope: grantedScope(query.get('scope')),
    });
    redirectUri.searchParams.set('code', code);
    redirectUri.searchParams.set('state', query.get('state') ?? '');
    return { status: 302, headers: { location: redirectUri.href }, body: '' };
  }

  function exchange(form: URLSearchParams, authorization: string | undefined): Fields {
    const client = clientCredentials(form, authorization);
    if (client.id !== clientId || client.secret !== clientSecret)
      return refusal(
        'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.',
      );
    const grantType = form.get('grant_type') ?? 'authorization_code';
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      const scope = refreshTokens.get(refreshToken);
      refreshTokens.delete(refreshToken);
      if (scope === undefined)
        return refusal('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
      return issueTokens(scope);
    }
    if (grantType !== 'authorization_code')
      return refusal('unsupported_grant_type', 'The grant type is not supported.');
    // A code is good for one exchange, whatever its outcome.
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (!code) return refusal('bad_verification_code', 'The code passed is incorrect or expired.');
    if ((form.get('redirect_uri') ?? code.redirectUri) !== code.redirectUri)
      return refusal(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    if (code.challenge && s256(form.get('code_verifier') ?? '') !== code.challenge)
      return refusal(
        'bad_verification_code',
        'The code_verifier does not match the code_challenge.',
      );
    return issueTokens(code.scope);
  }

  function issueTokens(scope: string): Fields {
    const accessToken = `gho_${randomHex(18)}`;
    const lifetime = hasExpiringTokens ? accessTokenSeconds : Number.POSITIVE_INFINITY;
    accessTokens.set(accessToken, { scope, expiresAt: Date.now() + lifetime * 1000 });
    const tokens = { access_token: accessToken, token_type: 'bearer', scope };
    if (!hasExpiringTokens) return tokens;
    const refreshToken = `ghr_${randomHex(36)}`;
    refreshTokens.set(refreshToken, scope);
    return {
      ...tokens,
      expires_in: accessTokenSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: 15_897_600,
    };
  }

  /** GitHub's API: a User-Agent first (403 without), then `Bearer` or `token` credentials. */
  function callApi(headers: IncomingHttpHeaders, answer: (scope: string) => unknown): Answer {
    if (!headers['user-agent']) return text(403, noUserAgentMessage);
    const [scheme = '', token = ''] = (headers.authorization ?? '').split(' ');
    const grant = accessTokens.get(token);
    if (
      !['bearer', 'token'].includes(scheme.toLowerCase()) ||
      !grant ||
      grant.expiresAt < Date.now()
    )
      return json(401, { message: 'Bad credentials', status: '401' });
    return json(200, answer(grant.scope));
  }

  async function handle(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
    };
    requests.push(seen);
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /login/oauth/authorize':
        return authorize(url.searchParams);
      case 'POST /login/oauth/access_token': {
        seen.form = await readFormBody(req);
        const fields = exchange(seen.form, req.headers.authorization);
        // Always 200, errors too; form-encoded unless the Accept header asks for JSON.
        return req.headers.accept?.includes('application/json')
          ? json(200, fields)
          : formEncoded(fields);
      }
      case 'GET /user':
        return callApi(req.headers, () => octocat);
      case 'GET /api/me':
        return callApi(req.headers, (scope) => ({
          login: octocat.login,
          scopes: scope.split(','),
        }));
      default:
        return json(404, { message: 'Not Found' });
    }
  }

  const server = await listenLocal((req, res) => {
    handle(req).then(
      (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
      () => res.writeHead(500).end(),
    );
  });
  t.after(() => server.close());
  return {
    url: server.url,
    clientId,
    clientSecret,
    requests,
    expireCodes: () => codes.clear(),
    revokeAllTokens: () => {
      accessTokens.clear();
      refreshTokens.clear();
    },
  };
}

/** What a GitHub OAuth app needs in .env: its endpoints, credentials and scopes (no OIDC_ISSUER). */
export function gitHubEnv(github: GitHubLikeProvider): Record<string, string> {
  return {
    OAUTH_AUTHORIZATION_ENDPOINT: `${github.url}/login/oauth/authorize`,
    OAUTH_TOKEN_ENDPOINT: `${github.url}/login/oauth/access_token`,
    OAUTH_USERINFO_ENDPOINT: `${github.url}/user`,
    OIDC_CLIENT_ID: github.clientId,
    OIDC_CLIENT_SECRET: github.clientSecret,
    OIDC_SCOPES: 'read:user user:email',
    OIDC_ALLOW_INSECURE_HTTP: 'true',
    RESOURCE_URL: `${github.url}/api/me`,
  };
}

/** Loopback, so any port; the path must be the registered one or below it. */
function isRegisteredCallback(url: URL): boolean {
  const isBelow = `${url.pathname}/`.startsWith(`${callbackPath}/`);
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' && isBelow;
}

/** client_secret_basic (RFC 6749 §2.3.1: form-encoded, then Base64) or client_secret_post. */
function clientCredentials(
  form: URLSearchParams,
  authorization = '',
): { id: string | null; secret: string | null } {
  const [scheme = '', encoded = ''] = authorization.split(' ');
  if (scheme.toLowerCase() !== 'basic')
    return { id: form.get('client_id'), secret: form.get('client_secret') };
  const [id = '', secret = ''] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
  const formDecode = (value: string) => decodeURIComponent(value.replaceAll('+', ' '));
  return { id: formDecode(id), secret: formDecode(secret) };
}

/** GitHub takes space-separated scopes and reports the granted ones comma-separated. */
function grantedScope(requested: string | null): string {
  return (requested ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .join(',');
}

function refusal(error: string, description: string): Fields {
  return { error, error_description: description };
}

function json(status: number, body: unknown): Answer {
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  return { status, headers, body: JSON.stringify(body) };
}

function formEncoded(fields: Fields): Answer {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) body.set(name, String(value));
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  return { status: 200, headers, body: body.toString() };
}

function text(status: number, body: string): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
