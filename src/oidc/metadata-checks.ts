// The doctor's checks of what the provider's metadata promises (RFC 8414, OIDC Discovery §3)
// against what this app will ask of it: endpoints, client authentication, scopes, PKCE, sign-out.
import type { ServerMetadata } from 'openid-client';
import { type ClientAuthMethod, clientAuthMethods } from '../config/app-config.ts';
import { ProviderError } from '../errors.ts';
import { openIdConnectScopes } from '../protocol.ts';
import type { CheckResult } from './provider-checks.ts';
import { requireSecureEndpoints } from './require-secure-endpoints.ts';

/** The scopes OpenID Connect defines (Core §5.4, §11): a provider that serves one lists it. */

/** Every endpoint https, or http on loopback when allowed: the app refuses the metadata otherwise. */
export function checkEndpoints(
  metadata: ServerMetadata,
  isInsecureHttpAllowed: boolean,
): CheckResult {
  const label = 'Endpoints';
  try {
    requireSecureEndpoints(metadata, isInsecureHttpAllowed);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const reason = error.cause instanceof Error ? error.cause.message : error.publicMessage;
    const fix = "use the provider's https address; the app sends nothing to these endpoints";
    return { status: 'fail', label, detail: reason, fix };
  }
  const detail = isInsecureHttpAllowed
    ? 'every endpoint is https, or http on a loopback host (OIDC_ALLOW_INSECURE_HTTP=true)'
    : 'every endpoint is https';
  return { status: 'ok', label, detail };
}

/** The configured OIDC_CLIENT_AUTH_METHOD among the provider's `token_endpoint_auth_methods_supported`. */
export function checkClientAuthMethod(
  metadata: ServerMetadata,
  method: ClientAuthMethod,
): CheckResult {
  const label = 'Client authentication method';
  // RFC 8414 §2: when the provider lists none, client_secret_basic is the default.
  const supported = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (supported.includes(method)) return { status: 'ok', label, detail: `${method} is supported` };
  const usable = supported.filter((each) => isAppMethod(each));
  return {
    status: 'fail',
    label,
    detail: `${method} is not among the provider's methods (${supported.join(', ')})`,
    fix:
      usable.length > 0
        ? `set OIDC_CLIENT_AUTH_METHOD=${usable.join(' or ')}`
        : 'none of its methods is one this app supports',
  };
}

/**
 * The requested scopes among `scopes_supported`, when the provider lists them. A provider need not
 * list every scope (RFC 8414 §2, OIDC Discovery §3): an unlisted API scope is only a warning. An
 * unlisted OpenID Connect scope fails: providers list those, and refuse them (`invalid_scope`).
 */
export function checkScopes(
  metadata: ServerMetadata,
  scopes: string,
  isOidc: boolean,
): CheckResult | undefined {
  const label = 'Scopes';
  const requested = scopes.split(' ').filter(Boolean);
  if (isOidc && !requested.includes('openid')) {
    const detail = 'OIDC_SCOPES lacks openid: no ID token would come back, and every sign-in fails';
    return { status: 'fail', label, detail, fix: 'add openid to OIDC_SCOPES' };
  }
  const listed = metadata.scopes_supported;
  if (!listed) return undefined;
  const unlisted = requested.filter((scope) => !listed.includes(scope));
  const refused = unlisted.filter((scope) => openIdConnectScopes.has(scope));
  if (refused.length > 0) {
    const names = refused.join(' ');
    const google = refused.includes('offline_access')
      ? '; for refresh tokens, Google wants OIDC_AUTH_PARAMS=access_type=offline&prompt=consent instead'
      : '';
    return {
      status: 'fail',
      label,
      detail: `${names} not in the provider's scopes_supported (${listed.join(' ')})`,
      fix: `remove ${names} from OIDC_SCOPES${google}`,
    };
  }
  if (unlisted.length > 0) {
    const names = unlisted.join(' ');
    return {
      status: 'warn',
      label,
      detail: `${names} not in scopes_supported, which need not list every scope (API scopes often are not)`,
      fix: `if sign-in answers invalid_scope, remove ${names} from OIDC_SCOPES`,
    };
  }
  return { status: 'ok', label, detail: `${requested.join(' ')}: all supported` };
}

/** The app always sends an S256 code challenge (RFC 7636; RFC 9700 §2.1.1). */
export function checkPkce(metadata: ServerMetadata): CheckResult {
  const label = 'PKCE';
  const methods = metadata.code_challenge_methods_supported;
  if (!methods) {
    const detail =
      'the provider does not say (no code_challenge_methods_supported); the app sends S256 anyway';
    return { status: 'warn', label, detail };
  }
  if (methods.includes('S256')) return { status: 'ok', label, detail: 'S256 is supported' };
  return {
    status: 'fail',
    label,
    detail: `S256 is not among the provider's methods (${methods.join(', ')})`,
    fix: 'enable PKCE with S256 for this client at the provider',
  };
}

/** What signing out will do beyond ending the app's session: one result per provider feature. */
export function describeSignOut(metadata: ServerMetadata): CheckResult[] {
  return [
    metadata.revocation_endpoint
      ? ok('Revocation', 'sign-out revokes the refresh token (revocation_endpoint)')
      : warn(
          'Revocation',
          'no revocation_endpoint: a refresh token stays valid at the provider after sign-out, until it expires',
        ),
    metadata.end_session_endpoint
      ? ok('Provider sign-out', "sign-out also ends the provider's session (end_session_endpoint)")
      : warn(
          'Provider sign-out',
          "no end_session_endpoint: sign-out ends the app's session only, and the next sign-in may not ask for a password",
        ),
    // OIDC Back-Channel Logout §2.1: absent means false.
    metadata.backchannel_logout_supported === true
      ? ok(
          'Back-channel logout',
          'signing out at the provider ends the app session too, once the URI below is registered',
        )
      : warn(
          'Back-channel logout',
          'not supported (backchannel_logout_supported): signing out at the provider leaves the app session running',
        ),
  ];
}

function ok(label: string, detail: string): CheckResult {
  return { status: 'ok', label, detail };
}

function warn(label: string, detail: string): CheckResult {
  return { status: 'warn', label, detail };
}

function isAppMethod(method: string): method is ClientAuthMethod {
  return (clientAuthMethods as readonly string[]).includes(method);
}
