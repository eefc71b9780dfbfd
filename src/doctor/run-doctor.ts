// npm run doctor: the configuration `npm start` would run with, checked against the provider and
// the API without a browser: one line per check, then the URIs to register at the provider.

import { printable } from '../commands/printable.ts';
import type { AppConfig } from '../config/app-config.ts';
import { ConfigError, messageOf, StartupError } from '../errors.ts';
import { backchannelLogoutPath } from '../flow/backchannel-logout.ts';
import { createClientAuth } from '../oidc/client-auth.ts';
import {
  checkClientAuthMethod,
  checkEndpoints,
  checkPkce,
  checkScopes,
  describeSignOut,
} from '../oidc/metadata-checks.ts';
import {
  type CheckResult,
  checkClientCredentials,
  connectToProvider,
} from '../oidc/provider-checks.ts';
import { type PreparedStart, prepareStart } from '../start.ts';
import { checkClock } from './check-clock.ts';
import { checkResource } from './check-resource.ts';

export interface DoctorReport {
  /** What to print, one line each. */
  lines: string[];
  /** 1 when a check failed (warnings do not count). */
  exitCode: 0 | 1;
}

const symbols = { ok: '✓', warn: '⚠', fail: '✗' } as const;

/**
 * Reads the configuration from `env` as `npm start` does (starting the embedded provider and demo
 * API when no provider is configured, closed again before it returns) and runs every check.
 */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  options: { dataDir: string },
): Promise<DoctorReport> {
  let prepared: PreparedStart;
  try {
    prepared = await prepareStart(env, options);
  } catch (error) {
    if (error instanceof ConfigError)
      return report(error.problems.map((problem) => failure('Configuration', problem)));
    if (error instanceof StartupError) {
      const fix =
        'another process (npm start?) may hold DEV_PROVIDER_PORT or DEV_API_PORT: stop it, or choose other ports';
      return report([failure('Development services', error.message, fix)]);
    }
    throw error;
  }
  try {
    return report(await runChecks(prepared.config), prepared.config);
  } finally {
    await prepared.close();
  }
}

/** Every check, in the order a sign-in and a sign-out meet them; provider checks need discovery. */
async function runChecks(config: AppConfig): Promise<CheckResult[]> {
  const { credentials } = config.client;
  const results: CheckResult[] = [];
  // A key file that cannot be read is reported where the credentials are checked; discovery
  // needs no client authentication.
  const auth = await createClientAuth(credentials).catch((error: unknown) =>
    failure(
      'Client credentials',
      `the private key cannot be used (${messageOf(error)})`,
      'check OIDC_CLIENT_PRIVATE_KEY_FILE',
    ),
  );
  const isAuthUsable = !('status' in auth);
  const { check, provider } = await connectToProvider(
    config,
    isAuthUsable ? auth : await createClientAuth({ method: 'none' }),
  );
  results.push(check);
  if (provider) {
    const metadata = provider.configuration.serverMetadata();
    const endpoints = checkEndpoints(metadata, config.allowInsecureHttp);
    results.push(endpoints);
    if (provider.isDiscovered) results.push(checkClientAuthMethod(metadata, credentials.method));
    if (!isAuthUsable) {
      results.push(auth);
    } else if (endpoints.status === 'fail') {
      const detail =
        'not tried: the app sends nothing to a provider whose endpoints are not secure';
      results.push({ status: 'warn', label: 'Client credentials', detail });
    } else {
      results.push(await checkClientCredentials(provider, config));
    }
    const scopes = checkScopes(metadata, config.scopes, config.provider.kind === 'oidc');
    if (scopes) results.push(scopes);
    results.push(checkPkce(metadata), ...describeSignOut(metadata));
    results.push(checkClock(provider.lastClock()));
  }
  results.push(await checkResource(config.resourceUrl, config.httpTimeoutSeconds));
  return results;
}

function report(results: CheckResult[], config?: AppConfig): DoctorReport {
  const failed = results.filter(({ status }) => status === 'fail').length;
  const warned = results.filter(({ status }) => status === 'warn').length;
  const counts = [
    failed > 0 ? `${failed} check${failed === 1 ? '' : 's'} failed` : 'No check failed',
    warned > 0 ? `${warned} warning${warned === 1 ? '' : 's'}` : '',
  ];
  const lines = [
    ...(config ? heading(config) : []),
    ...results.map(formatCheck),
    ...(config ? registration(config) : []),
    '',
    `${counts.filter(Boolean).join(', ')}.`,
  ];
  return { lines, exitCode: failed > 0 ? 1 : 0 };
}

function formatCheck({ status, label, detail, fix }: CheckResult): string {
  // The detail may quote the provider (an error_description, its issuer): printed safely.
  return `${symbols[status]} ${label}: ${printable(detail)}${fix ? `. Fix: ${printable(fix)}` : ''}`;
}

function heading(config: AppConfig): string[] {
  const { provider, client } = config;
  const where =
    provider.kind === 'oidc'
      ? `${provider.issuer.href}${config.isDevProvider ? ' (the embedded development provider)' : ''}`
      : `plain OAuth 2.0, token endpoint ${provider.tokenEndpoint.href}`;
  return [
    'Checking the configuration npm start would use (no browser, no sign-in):',
    `  Provider: ${where}`,
    `  Client:   ${client.id} (${client.credentials.method})`,
    `  Scopes:   ${config.scopes}`,
    '',
  ];
}

function registration(config: AppConfig): string[] {
  const origin = config.baseUrl.origin;
  return [
    '',
    config.isDevProvider
      ? 'Registered by the embedded provider itself (a real provider needs them):'
      : 'Register at the provider, exactly:',
    `  Redirect URI:             ${config.redirectUri}`,
    `  Post-logout redirect URI: ${config.postLogoutRedirectUri}`,
    `  Back-channel logout URI:  ${origin}${backchannelLogoutPath}`,
  ];
}

function failure(label: string, detail: string, fix?: string): CheckResult {
  return { status: 'fail', label, detail, ...(fix && { fix }) };
}
