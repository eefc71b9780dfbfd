// The one line `npm run client-credentials` prints when it fails: what went wrong, in the words of
// RFC 6749 §5.2 when the provider refused the token, and what to check.
import {
  ApiAccessRefusedError,
  ApplicationTokenError,
  ProviderError,
  ResourceError,
} from '../errors.ts';
import { printable } from './printable.ts';

export interface FailureContext {
  clientId: string;
  /** The provider's address as configured (issuer, or token endpoint with plain OAuth 2.0). */
  provider: string;
  resourceUrl: string;
  /** The scope the token request asked for; empty when none. */
  scope: string;
  timeoutSeconds: number;
}

/** One line for an expected failure; undefined for anything else (a bug: let it throw). */
export function describeFailure(error: unknown, context: FailureContext): string | undefined {
  if (error instanceof ApplicationTokenError) return describeRefusal(error, context);
  if (error instanceof ProviderError) {
    if (error.code === 'provider_unreachable')
      return `network: the provider at ${context.provider} cannot be reached (${rootCause(error)})`;
    if (error.code === 'provider_timeout')
      return `network: the provider at ${context.provider} did not answer within ${context.timeoutSeconds} s`;
    return `provider: ${error.publicMessage} (${rootCause(error)})`;
  }
  if (error instanceof ResourceError) {
    if (error.code === 'api_unreachable')
      return `network: the API at ${context.resourceUrl} cannot be reached (${rootCause(error)})`;
    if (error.code === 'api_timeout')
      return `network: the API at ${context.resourceUrl} did not answer within ${context.timeoutSeconds} s`;
    return `api: ${error.publicMessage}`;
  }
  if (error instanceof ApiAccessRefusedError)
    return `api: the API at ${context.resourceUrl} refused a new application token (HTTP 401): does it accept tokens for client ${context.clientId}, this audience and scope?`;
  return undefined;
}

function describeRefusal(error: ApplicationTokenError, context: FailureContext): string {
  const said = error.description
    ? ` (provider: "${printable(error.description).slice(0, 200)}")`
    : '';
  switch (error.oauthError) {
    case 'invalid_client':
      return `invalid_client: the provider did not accept the credentials of client ${context.clientId}: check OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_CLIENT_AUTH_METHOD${said}`;
    case 'unauthorized_client':
      return `unauthorized_client: client ${context.clientId} may not use the client_credentials grant: allow it in the client's registration at the provider${said}`;
    case 'invalid_scope':
      return `invalid_scope: the provider does not grant scope "${context.scope}" to client ${context.clientId}: ask for the API's scopes (OIDC_SCOPES, or --scope)${said}`;
    default:
      return `${printable(error.oauthError).slice(0, 64)}: the provider refused the token request${said}`;
  }
}

/** The innermost cause's message, e.g. "connect ECONNREFUSED 127.0.0.1:3001". */
function rootCause(error: Error): string {
  let innermost: unknown = error;
  while (innermost instanceof Error && innermost.cause !== undefined) innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  // Both addresses of `localhost` refused: an AggregateError with a code and no message.
  const code = (innermost as { code?: unknown } | null)?.code;
  return printable(message || String(code ?? 'no reason given')).slice(0, 200);
}
