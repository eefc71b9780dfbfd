// Starts the two stand-in third parties the app talks to when no OIDC_ISSUER is configured:
// the development provider and the demo protected API, each on its own origin.
import type Provider from 'oidc-provider';
import { closeServer, listenServer, portOf } from './listen-server.ts';
import { startDemoApi } from './start-demo-api.ts';
import { startDevProvider } from './start-dev-provider.ts';

export interface DevServicesOptions {
  /** The app's public URL, without a trailing slash (e.g. http://localhost:3000). */
  appBaseUrl: string;
  clientId: string;
  clientSecret: string;
  providerPort: number;
  apiPort: number;
  keysFile: string;
  /** Interface both services listen on; default 127.0.0.1. */
  host?: string;
  /** Host name in their URLs; default `host`. */
  publicHost?: string;
  accessTokenTtlSeconds?: number;
}

export interface DevServices {
  issuer: string;
  resourceUrl: string;
  provider: Provider;
  close(): Promise<void>;
}

export async function startDevServices(options: DevServicesOptions): Promise<DevServices> {
  const host = options.host ?? '127.0.0.1';
  const publicHost = options.publicHost ?? host;
  // The API needs the issuer and the provider needs the API's URL: take the provider's port first.
  const providerServer = await listenServer(options.providerPort, host);
  const issuer = `http://${publicHost}:${portOf(providerServer)}`;

  const api = await startDemoApi({ host, publicHost, port: options.apiPort, issuer }).catch(
    async (error: unknown) => {
      await closeServer(providerServer);
      throw error;
    },
  );

  const appBaseUrl = options.appBaseUrl.replace(/\/+$/, '');
  const dev = await startDevProvider({
    host,
    publicHost,
    port: options.providerPort,
    server: providerServer,
    resourceAudience: api.url,
    keysFile: options.keysFile,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    clients: [
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUris: [`${appBaseUrl}/callback`],
        postLogoutRedirectUris: [`${appBaseUrl}/`],
        backchannelLogoutUri: `${appBaseUrl}/backchannel-logout`,
      },
    ],
  }).catch(async (error: unknown) => {
    await Promise.all([api.close(), closeServer(providerServer)]);
    throw error;
  });

  return {
    issuer: dev.issuer,
    resourceUrl: api.resourceUrl,
    provider: dev.provider,
    close: async () => {
      await Promise.all([dev.close(), api.close()]);
    },
  };
}
