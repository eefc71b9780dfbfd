// The embedded development OpenID Provider (oidc-provider 9) on its own origin: any login signs in,
// access tokens are RFC 9068 JWTs for the demo API, refresh tokens rotate, and a client may get a
// token of its own for the API (client credentials grant). Never used in production.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import Provider, { type Configuration, errors } from 'oidc-provider';
import { answerUnauthorizedClient, refuseUnknownScopes } from './client-credentials-answers.ts';
import { type DevClient, toClientMetadata } from './dev-client.ts';
import { findDevAccount } from './find-dev-account.ts';
import { interactionRoutes } from './interaction-routes.ts';
import { closeServer, listenServer, portOf } from './listen-server.ts';
import { loadSigningKeys } from './load-signing-keys.ts';
import { createMemoryAdapter } from './memory-adapter.ts';
import { serveAssets } from './page-assets.ts';
import { providerPages } from './provider-pages.ts';

export interface DevProviderOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Host name in the issuer URL; default `host`. */
  publicHost?: string;
  /** 0 = ephemeral. Ignored when `server` is given. */
  port: number;
  /** A server already listening: lets a caller know the issuer before the provider exists. */
  server?: Server;
  clients: DevClient[];
  /** The demo API's resource indicator (its base URL, e.g. http://localhost:3002/). */
  resourceAudience: string;
  /** Default 300: short, so the app's refresh shows up after a few minutes of use. */
  accessTokenTtlSeconds?: number;
  /** JSON file holding the signing JWKS; created at first start, reused after. Omitted = in memory. */
  keysFile?: string;
  /**
   * Tests only: changes the configuration before the provider starts, so it behaves like another
   * product (a thin ID token, another refresh-token policy).
   */
  adjustConfiguration?: (configuration: Configuration) => Configuration;
}

export interface DevProvider {
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

const daySeconds = 24 * 60 * 60;
/** The demo API's scopes. */
const apiScopes = ['api:read'];

export async function startDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  const jwks = await loadSigningKeys(options.keysFile);
  const assets = await serveAssets();
  const host = options.host ?? '127.0.0.1';
  const server = options.server ?? (await listenServer(options.port, host));
  const issuer = `http://${options.publicHost ?? host}:${portOf(server)}`;
  const audience = options.resourceAudience;
  const accessTokenTTL = options.accessTokenTtlSeconds ?? 300;
  const refreshTokenTTL = 14 * daySeconds;

  const configuration: Configuration = {
    clients: options.clients.map(toClientMetadata),
    adapter: createMemoryAdapter(),
    jwks,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: findDevAccount,
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    // Each refresh returns a new refresh token (rotation, RFC 9700 §4.14), so the app handles it.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: refreshTokenTTL,
      Grant: refreshTokenTTL,
      Session: 14 * daySeconds,
      Interaction: 3600,
    },
    // Its own sign-in and consent pages (interaction-routes.ts): devInteractions load Google Fonts.
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // Every access token is for the demo API (below), so none could call UserInfo: the ID token
      // carries the profile and email claims instead, and discovery advertises no userinfo_endpoint.
      userinfo: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => isOwnToken(client, token),
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => isOwnToken(client, token),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: providerPages.logoutSource,
        postLogoutSuccessSource: providerPages.postLogoutSuccessSource,
      },
      backchannelLogout: { enabled: true },
      // RFC 6749 §4.4: an application's own token, for the demo API (the default resource below).
      clientCredentials: { enabled: true },
      // Pushed authorization requests (RFC 9126), on by default in oidc-provider 9, used with OIDC_USE_PAR.
      pushedAuthorizationRequests: { enabled: true },
      // DPoP (RFC 9449), used with OIDC_USE_DPOP. A proof must carry the provider's current nonce
      // (§8), so the app's answer to use_dpop_nonce runs on every sign-in and after every restart.
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      resourceIndicators: {
        enabled: true,
        // Every authorization and client credentials token is for the demo API, and the token
        // endpoint uses it without a `resource` parameter, as a generic RP (written for Google or
        // Auth0) never sends one.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          refuseUnknownScopes(ctx, apiScopes);
          return {
            scope: apiScopes.join(' '),
            audience,
            accessTokenTTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // The RP is a server: browsers never call these endpoints cross-origin.
    clientBasedCORS: () => false,
    renderError: providerPages.renderError,
    // The default fetch refuses loopback addresses (an SSRF guard), and the dev provider's only
    // outgoing calls are back-channel logouts to the app on this machine.
    fetch: (input, { dispatcher: _refusesLoopback, ...init } = {}) => fetch(input, init),
  };

  const provider = new Provider(
    issuer,
    options.adjustConfiguration?.(configuration) ?? configuration,
  );
  provider.use(answerUnauthorizedClient());
  provider.use(assets);
  provider.use(interactionRoutes(provider));
  // Koa composes middleware in callback(): calling it per request lets a test add provider.use()
  // middleware (fault injection) after start.
  server.on('request', (req, res) => provider.callback()(req, res));

  return { issuer, provider, close: () => closeServer(server) };
}

function isOwnToken(
  client: { clientId: string },
  token: { clientId?: string | undefined },
): boolean {
  return token.clientId === client.clientId;
}
