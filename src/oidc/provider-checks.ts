// The doctor's questions to the provider (npm run doctor): discovery, whether the client's
// credentials are accepted, and its clock. Each answer is a CheckResult; nothing signs anyone in.
import * as client from 'openid-client';
import type { AppConfig } from '../config/app-config.ts';
import { messageOf } from '../errors.ts';
import type { FetchLike } from '../recorder/flow-recorder.ts';
import { createConfiguration } from './configuration-loader.ts';

/** One line of the doctor's report; `fix` says what to change when it is not `ok`. */
export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  label: string;
  detail: string;
  fix?: string;
}

/** What the provider's clock said: its last answer's Date header, and our time when it came. */
export interface ProviderClock {
  providerDate: string;
  receivedAt: number;
}

/** The provider as the checks see it: its Configuration, and the clock its answers showed. */
export interface ProviderUnderCheck {
  configuration: client.Configuration;
  /** Its metadata came from discovery (false: built from the OAUTH_* endpoints). */
  isDiscovered: boolean;
  lastClock(): ProviderClock | undefined;
}

/**
 * The leeway openid-client gives ID-token times (its default `clockTolerance`, which the app keeps;
 * logout tokens get the same): a clock further off makes tokens look not yet valid or expired.
 */
export const idTokenClockToleranceSeconds = 30;

/** Discovers the provider as the app does (or builds it from OAUTH_*), and reports how that went. */
export async function connectToProvider(
  config: AppConfig,
  auth: client.ClientAuth,
): Promise<{ check: CheckResult; provider?: ProviderUnderCheck }> {
  let clock: ProviderClock | undefined;
  const observing: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    const providerDate = response.headers.get('date');
    if (providerDate) clock = { providerDate, receivedAt: Date.now() };
    return response;
  };
  const { provider } = config;
  const label = 'Discovery';
  try {
    const configuration = await createConfiguration(config, auth, observing);
    const under = { configuration, isDiscovered: provider.kind === 'oidc', lastClock: () => clock };
    if (provider.kind === 'oauth2') {
      const detail = 'none with plain OAuth 2.0: the endpoints come from OAUTH_*';
      return { check: { status: 'ok', label, detail }, provider: under };
    }
    const detail = `${discoveryUrl(provider.issuer)} answers, naming the expected issuer`;
    return { check: { status: 'ok', label, detail }, provider: under };
  } catch (error) {
    if (provider.kind === 'oauth2') throw error;
    return { check: { status: 'fail', label, ...discoveryFailure(provider.issuer, error) } };
  }
}

/**
 * Sends a token request with a made-up code: a provider that accepts the client's credentials
 * refuses the code (`invalid_grant`); one that does not refuses the client (`invalid_client`,
 * RFC 6749 §5.2). Nothing is issued either way.
 */
export async function checkClientCredentials(
  provider: ProviderUnderCheck,
  config: AppConfig,
): Promise<CheckResult> {
  const label = 'Client credentials';
  try {
    await client.genericGrantRequest(provider.configuration, 'authorization_code', {
      code: 'made-up-code-from-npm-run-doctor',
      redirect_uri: config.redirectUri,
      code_verifier: client.randomPKCECodeVerifier(),
    });
    return {
      status: 'warn',
      label,
      detail: 'a made-up code was accepted: is this a real provider?',
    };
  } catch (error) {
    const answer = oauthErrorOf(error);
    const said = answer && `${answer.error}${answer.description ? ` (${answer.description})` : ''}`;
    if (answer?.error === 'invalid_grant') {
      const detail = 'accepted (a made-up code was refused with invalid_grant, not invalid_client)';
      return { status: 'ok', label, detail };
    }
    if (answer?.error === 'invalid_client') {
      return {
        status: 'fail',
        label,
        detail: `refused with ${said}`,
        fix: `check OIDC_CLIENT_ID and ${credentialVariable(config)}, and that OIDC_CLIENT_AUTH_METHOD is the method the client is registered with`,
      };
    }
    if (answer?.error === 'unauthorized_client') {
      const fix = 'allow the authorization code grant for this client at the provider';
      return { status: 'fail', label, detail: `refused with ${said}`, fix };
    }
    if (answer) {
      const detail = `not confirmed: the provider answered ${said}, where invalid_grant was expected`;
      return { status: 'warn', label, detail };
    }
    const fix = 'check that this machine can reach the token endpoint';
    return { status: 'fail', label, detail: `no answer: ${describeFailure(error)}`, fix };
  }
}

/** Where openid-client looks for the metadata (OIDC Discovery 1.0 §4.1): the issuer's path + the well-known suffix. */
export function discoveryUrl(issuer: URL): string {
  if (issuer.pathname.includes('/.well-known/')) return issuer.href;
  const url = new URL(issuer);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  return url.href;
}

function discoveryFailure(issuer: URL, error: unknown): { detail: string; fix: string } {
  const where = discoveryUrl(issuer);
  if (
    error instanceof client.ClientError &&
    error.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'
  ) {
    // OIDC Discovery §4.3: the issuer in the document must be exactly the one it was fetched for.
    const body = (error.cause as { body?: { issuer?: unknown } } | undefined)?.body;
    const named = typeof body?.issuer === 'string' ? body.issuer : 'another issuer';
    return {
      detail: `${where} names the issuer ${named}, not OIDC_ISSUER ${issuer.href}`,
      fix: `set OIDC_ISSUER=${named} (exactly: localhost and 127.0.0.1 differ, and so does a path)`,
    };
  }
  return {
    detail: `${where} ${describeFailure(error)}`,
    fix: 'check OIDC_ISSUER (the discovery document is read from the URL above) and that this machine can reach it',
  };
}

/** A failed request in a few words: the HTTP status, the timeout, or the network error's code. */
function describeFailure(error: unknown): string {
  if (error instanceof client.ClientError) {
    if (error.code === 'OAUTH_TIMEOUT') return 'did not answer in time (HTTP_TIMEOUT_SECONDS)';
    const status = (error.cause as { status?: unknown } | undefined)?.status;
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && typeof status === 'number')
      return `answered HTTP ${status}`;
    return `answered something unusable (${error.message})`;
  }
  if (error instanceof TypeError && error.cause) {
    const cause = error.cause as { code?: unknown; message?: unknown };
    return `cannot be reached (${String(cause.code ?? cause.message)})`;
  }
  return `failed (${messageOf(error)})`;
}

/** The OAuth error of a provider answer (RFC 6749 §5.2), from its body or its WWW-Authenticate. */
function oauthErrorOf(error: unknown): { error: string; description?: string } | undefined {
  if (error instanceof client.ResponseBodyError)
    return {
      error: error.error,
      ...(error.error_description && { description: error.error_description }),
    };
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    if (!parameters?.error) return undefined;
    const description = parameters.error_description;
    return { error: parameters.error, ...(description && { description }) };
  }
  return undefined;
}

function credentialVariable(config: AppConfig): string {
  switch (config.client.credentials.method) {
    case 'private_key_jwt':
      return 'the key (OIDC_CLIENT_PRIVATE_KEY_FILE, OIDC_CLIENT_KEY_ID) registered for the client';
    case 'none':
      return 'that the client is registered as public';
    default:
      return 'OIDC_CLIENT_SECRET';
  }
}
