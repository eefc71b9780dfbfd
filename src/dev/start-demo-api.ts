// The demo protected API: a resource server on its own origin. GET /me answers for the bearer of
// a valid JWT access token (RFC 9068), a user's or an application's own, and refuses anything else
// the way RFC 6750 describes; a DPoP-bound token only with a proof of its key (RFC 9449 §7).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { buildDemoOrders } from './build-demo-orders.ts';
import { closeServer, listenServer, portOf } from './listen-server.ts';
import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  InvalidTokenError,
} from './verify-access-token.ts';
import {
  createDpopBindingCheck,
  type DpopBindingCheck,
  proofAlgorithms,
} from './verify-dpop-proof.ts';

export interface DemoApiOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Host name in the API's URL; default `host`. */
  publicHost?: string;
  /** 0 = ephemeral. */
  port: number;
  issuer: string;
  /** Expected `aud` of access tokens; default the API's base URL (with trailing slash). */
  audience?: string;
}

export interface DemoApi {
  /** Base URL with a trailing slash; the default audience. */
  url: string;
  /** `url` + 'me': the endpoint the app calls. */
  resourceUrl: string;
  close(): Promise<void>;
}

const bearerRealm = 'Bearer realm="demo-api"';
const dpopRealm = `DPoP realm="demo-api", algs="${proofAlgorithms.join(' ')}"`;
// RFC 6750 §2.1 (and RFC 9449 §7.1): the b64token syntax of a bearer or DPoP credential.
const credentials = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  const host = options.host ?? '127.0.0.1';
  const server = await listenServer(options.port, host);
  const url = `http://${options.publicHost ?? host}:${portOf(server)}/`;
  const verify = createAccessTokenVerifier(options.issuer, options.audience ?? url);
  const checkBinding = createDpopBindingCheck();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res, { verify, checkBinding, url }).catch((error: unknown) => {
      console.error('demo API: request failed', error instanceof Error ? error.message : error);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
  });

  return { url, resourceUrl: `${url}me`, close: () => closeServer(server) };
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  api: { verify: AccessTokenVerifier; checkBinding: DpopBindingCheck; url: string },
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://demo-api').pathname;
  if (path === '/healthz' && req.method === 'GET') return send(res, 200, { status: 'ok' });
  if (path !== '/me')
    return send(res, 404, { error: 'not_found', error_description: 'No such endpoint' });
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return send(res, 405, { error: 'method_not_allowed', error_description: 'Use GET' });
  }

  const authorization = req.headers.authorization;
  if (!/^(bearer|dpop) /i.test(authorization ?? '')) {
    // RFC 6750 §3.1: no error code when the request carries no credentials at all.
    res.setHeader('WWW-Authenticate', bearerRealm);
    return send(res, 401, {
      error: 'unauthorized',
      error_description: 'An access token is required',
    });
  }
  const [, scheme = '', token] = credentials.exec(authorization ?? '') ?? [];
  const realm = scheme.toLowerCase() === 'dpop' ? dpopRealm : bearerRealm;
  if (token === undefined) {
    res.setHeader('WWW-Authenticate', `${realm}, error="invalid_request"`);
    return send(res, 400, {
      error: 'invalid_request',
      error_description: 'Malformed access token',
    });
  }

  let claims: JWTPayload;
  try {
    claims = await api.verify(token);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) {
      console.error(
        'demo API: cannot verify tokens',
        error instanceof Error ? error.message : error,
      );
      return send(res, 503, { error: 'temporarily_unavailable' });
    }
    const { description } = error;
    return refuse(res, realm, 'invalid_token', description);
  }

  // RFC 9449 §7.1: a token bound to a key only with the DPoP scheme and a proof of that key.
  const refusal = await api.checkBinding({
    isDpopScheme: realm === dpopRealm,
    accessToken: token,
    claims,
    // Node joins repeated headers with commas: two proofs read as one malformed proof.
    proof: typeof req.headers.dpop === 'string' ? req.headers.dpop : undefined,
    method: req.method,
    url: new URL(path, api.url).href,
  });
  if (refusal) {
    if (refusal.nonce) res.setHeader('DPoP-Nonce', refusal.nonce);
    return refuse(res, dpopRealm, refusal.error, refusal.description);
  }

  send(res, 200, describeBearer(claims));
}

function refuse(res: ServerResponse, realm: string, error: string, description: string): void {
  res.setHeader(
    'WWW-Authenticate',
    `${realm}, error="${error}", error_description="${description}"`,
  );
  send(res, 401, { error, error_description: description });
}

function describeBearer(claims: JWTPayload) {
  const client = typeof claims.client_id === 'string' ? claims.client_id : undefined;
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const tokenIssuedAt =
    claims.iat === undefined ? undefined : new Date(claims.iat * 1000).toISOString();
  const tokenExpiresAt =
    claims.exp === undefined ? undefined : new Date(claims.exp * 1000).toISOString();
  // RFC 9068 §2.2: a token an application got for itself (client credentials) names no user: its
  // `sub` is the client's id, or absent. Such a caller has no orders of its own.
  if (client !== undefined && (claims.sub === undefined || claims.sub === client)) {
    return {
      message: `Hello, application ${client} — this answer comes from the demo protected API.`,
      isApplication: true,
      subject: client,
      scopes,
      client,
      tokenIssuedAt,
      tokenExpiresAt,
    };
  }
  const subject = claims.sub ?? 'unknown';
  return {
    message: `Hello, ${subject} — this answer comes from the demo protected API.`,
    subject,
    scopes,
    client,
    tokenIssuedAt,
    tokenExpiresAt,
    data: { orders: buildDemoOrders(subject) },
  };
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    // Answers are per user and per token: no cache may keep them.
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}
