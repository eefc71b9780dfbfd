// `npm run client-credentials`: gets this application a token of its own from the configured
// provider (the embedded development one by default, started here as `npm start` starts it),
// calls RESOURCE_URL with it twice to show the cached token reused, and prints what happened.
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../config/app-config.ts';
import { providerOrigin } from '../config/read-provider.ts';
import { StartupError, startFailureLines } from '../errors.ts';
import { createApplicationApiCaller } from '../flow/client-credentials.ts';
import { createLogger } from '../http/logger.ts';
import { openIdConnectScopes } from '../protocol.ts';
import { createProviderClient, type PreparedStart, prepareStart } from '../start.ts';
import { describeApplicationCall } from './describe-application-call.ts';
import { describeFailure } from './describe-failure.ts';

export interface ClientCredentialsOptions {
  /** Where development files live (the dev provider's keys), as for `npm start`. */
  dataDir: string;
  /** The scope to ask for; default the API scopes of OIDC_SCOPES. */
  scope?: string;
  /** How many API calls; default 2 (the second reuses the token). */
  calls?: number;
  /** Where log lines go; none when absent. */
  logTo?: DestinationStream;
  now?: () => number;
}

export interface ClientCredentialsRun {
  /** What to print on standard output. */
  lines: string[];
  /** What went wrong, for standard error: one line (configuration errors: one per problem). */
  error?: string;
  exitCode: number;
}

// OpenID Connect's own scopes (OIDC Core §5.4, §11) ask about a user: an application has none.

/** Runs the command for `env`; rejects only on a bug (every expected failure is a line). */
export async function runClientCredentials(
  env: NodeJS.ProcessEnv,
  options: ClientCredentialsOptions,
): Promise<ClientCredentialsRun> {
  const lines: string[] = [];
  let started: PreparedStart;
  try {
    started = await prepareWithFreePorts(env, options.dataDir, lines);
  } catch (error) {
    return failed(lines, startFailureLines(error) ?? rethrow(error));
  }
  const { config, dev } = started;
  const parameters = tokenParameters(config, options.scope);
  const context = {
    clientId: config.client.id,
    provider: providerOrigin(config.provider),
    resourceUrl: config.resourceUrl.href,
    scope: parameters.scope ?? '',
    timeoutSeconds: config.httpTimeoutSeconds,
  };
  const startedHere = dev ? ' (started for this command)' : '';
  lines.push(
    `Client credentials grant (RFC 6749 §4.4) as client ${config.client.id}`,
    `  ${(dev ? 'Development provider' : 'Provider').padEnd(22)}${context.provider}${startedHere}`,
    `  ${(dev ? 'Demo protected API' : 'API').padEnd(22)}${context.resourceUrl}${startedHere}`,
    `  ${'Asking for scope'.padEnd(22)}${context.scope || '(none)'}`,
    '',
  );
  try {
    const status = await callApiAndDescribe(config, parameters, options, lines);
    if (status >= 400)
      return failed(lines, [`api: the API at ${context.resourceUrl} answered HTTP ${status}`]);
    return { lines, exitCode: 0 };
  } catch (error) {
    const line = describeFailure(error, context);
    return failed(lines, startFailureLines(error) ?? (line ? [line] : rethrow(error)));
  } finally {
    await started.close();
  }
}

/** Calls the API as the application `calls` times, adding what happened to `lines`; the last status. */
async function callApiAndDescribe(
  config: AppConfig,
  parameters: Record<string, string>,
  options: ClientCredentialsOptions,
  lines: string[],
): Promise<number> {
  const now = options.now ?? Date.now;
  const logger = createLogger(options.logTo ? config.logLevel : 'silent', options.logTo);
  const oidc = await createProviderClient(config, logger);
  const callApiAsApplication = createApplicationApiCaller({
    oidc,
    parameters,
    now,
    skewMs: config.refreshSkewMs,
  });
  const count = options.calls ?? 2;
  let status = 0;
  for (let index = 1; index <= count && status < 400; index++) {
    const call = await callApiAsApplication();
    if (index > 1) lines.push('');
    lines.push(...describeApplicationCall(call, index, count, now()));
    status = call.answer.status;
  }
  return status;
}

function rethrow(error: unknown): never {
  throw error;
}

/** As `npm start` does; when its development ports are taken (`npm start` runs?), free ones. */
async function prepareWithFreePorts(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  lines: string[],
): Promise<PreparedStart> {
  try {
    return await prepareStart(env, { dataDir });
  } catch (error) {
    const code = error instanceof StartupError && (error.cause as { code?: unknown })?.code;
    if (code !== 'EADDRINUSE') throw error;
    lines.push('(The development ports are taken, by `npm start` perhaps: using free ones.)');
    return prepareStart({ ...env, DEV_PROVIDER_PORT: '0', DEV_API_PORT: '0' }, { dataDir });
  }
}

/**
 * The API's scopes of the sign-in's (OIDC_SCOPES), and the API named the way the sign-in names it
 * (OIDC_AUTH_PARAMS): `resource` (RFC 8707) or `audience` (Auth0 and others).
 */
function tokenParameters(config: AppConfig, scope: string | undefined): Record<string, string> {
  const apiScopes = config.scopes
    .split(' ')
    .filter((each) => each && !openIdConnectScopes.has(each));
  const asked = scope ?? apiScopes.join(' ');
  const parameters: Record<string, string> = asked ? { scope: asked } : {};
  for (const name of ['resource', 'audience']) {
    const value = config.authParams[name];
    if (value) parameters[name] = value;
  }
  return parameters;
}

/** The issuer as written in its metadata (no trailing slash on a bare origin), or the origin. */
function failed(lines: string[], problems: string[]): ClientCredentialsRun {
  return { lines, error: problems.join('\n'), exitCode: 1 };
}
