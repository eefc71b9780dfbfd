// The embedded provider and demo API on port 0, configured the way a developer points the app at
// a real provider (OIDC_ISSUER and the client's credentials): for the commands that read that
// configuration themselves (npm run doctor, npm run client-credentials).
import path from 'node:path';
import type { TestContext } from 'node:test';
import { devClient } from '../../src/config/load-config.ts';
import { type DevServices, startDevServices } from '../../src/dev/start-dev-services.ts';
import { tempDir } from './temp-dir.ts';

export interface ExternalProvider {
  services: DevServices;
  /** The configuration a developer would write for this provider, as in .env. */
  env: Record<string, string>;
  /** A folder of the test's, for the command's development files. */
  dataDir: string;
}

/** Starts both for the test (closed after it), with the dev client registered for `appBaseUrl`. */
export async function startExternalProvider(
  t: TestContext,
  appBaseUrl: string,
): Promise<ExternalProvider> {
  const dataDir = await tempDir(t, 'oer-provider-');
  const services = await startDevServices({
    appBaseUrl,
    clientId: devClient.id,
    clientSecret: devClient.secret,
    providerPort: 0,
    apiPort: 0,
    keysFile: path.join(dataDir, 'dev-jwks.json'),
  });
  t.after(() => services.close());
  const env = {
    APP_BASE_URL: appBaseUrl,
    OIDC_ISSUER: services.issuer,
    OIDC_CLIENT_ID: devClient.id,
    OIDC_CLIENT_SECRET: devClient.secret,
    OIDC_ALLOW_INSECURE_HTTP: 'true',
    RESOURCE_URL: services.resourceUrl,
  };
  return { services, env, dataDir };
}
