// Every failure the app expects is one of these: a stable `code`, an HTTP status and a message that
// is safe to show. Details go to `cause` and the log, never to the browser.

/**
 * Every stable error code. Logs, tests and the development error page (src/http/explain-error.ts
 * says what each check protects against) rely on them: a code is renamed only with all three.
 */
export type ErrorCode =
  // The callback (LoginStateError)
  | 'unknown_state'
  | 'login_expired'
  | 'callback_malformed'
  | 'callback_invalid'
  | 'id_token_invalid'
  | 'code_rejected'
  // The provider (ProviderError)
  | 'provider_rejected'
  | 'provider_timeout'
  | 'provider_unreachable'
  | 'provider_bad_response'
  | 'provider_failed'
  | 'provider_insecure_endpoint'
  | 'par_unsupported'
  | 'id_token_missing'
  | 'userinfo_invalid'
  | 'jwks_unavailable'
  // The tokens (TokenRefreshError)
  | 'refresh_failed'
  | 'refresh_token_missing'
  | 'refresh_wrong_user'
  | 'sign_in_ended'
  | 'application_token_refused'
  // The protected API (ResourceError, ApiAccessRefusedError)
  | 'api_failed'
  | 'api_refused'
  | 'api_timeout'
  | 'api_unreachable'
  | 'api_refused_token'
  // The app's own checks
  | 'logout_token_invalid'
  | 'csrf_failed'
  | 'rate_limited'
  | 'sign_in_ceiling'
  | 'store_unavailable'
  | 'bad_request'
  | 'not_found'
  | 'internal';

/**
 * The provider answered the authorization request with `error=` (RFC 6749 §4.1.2.1): the code is
 * `provider_` and its error, e.g. `provider_access_denied`.
 */
export type SignInRefusalCode = `provider_${string}`;

/** Where the error page's button leads, e.g. back to sign-in. */
export interface PageAction {
  href: string;
  label: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  action?: PageAction;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode | SignInRefusalCode;
  readonly publicMessage: string;
  readonly title: string;
  readonly action: PageAction | undefined;

  constructor(
    status: number,
    code: ErrorCode | SignInRefusalCode,
    title: string,
    publicMessage: string,
    options: AppErrorOptions = {},
  ) {
    super(`${code}: ${publicMessage}`, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = title;
    this.publicMessage = publicMessage;
    this.action = options.action;
  }
}

const signInAgain = { href: '/login', label: 'Sign in again' };

/** A callback that does not match a login this browser started, or the provider said no. */
export class LoginStateError extends AppError {
  constructor(
    code: ErrorCode | SignInRefusalCode,
    publicMessage: string,
    options: AppErrorOptions = {},
  ) {
    super(400, code, 'Sign-in could not be completed', publicMessage, {
      action: signInAgain,
      ...options,
    });
  }
}

/**
 * The identity provider is down, slow, refused the app's request or answered something unusable;
 * `title` is the page's headline and names which of these it was.
 */
export class ProviderError extends AppError {
  constructor(
    status: 502 | 503 | 504,
    code: ErrorCode,
    title: string,
    publicMessage: string,
    cause?: unknown,
  ) {
    super(status, code, title, publicMessage, { cause });
  }
}

/** The user has to sign in again: the refresh token is no longer good, or there is none. */
export class TokenRefreshError extends AppError {
  constructor(
    code: 'refresh_failed' | 'refresh_token_missing' | 'refresh_wrong_user' | 'sign_in_ended',
    publicMessage: string,
    cause?: unknown,
  ) {
    super(401, code, 'Please sign in again', publicMessage, {
      cause,
      action: signInAgain,
    });
  }
}

/**
 * The provider refused this application a token of its own (client credentials grant):
 * `oauthError` is its RFC 6749 §5.2 code (`invalid_client`, `unauthorized_client`, `invalid_scope`…),
 * `description` its `error_description`, both the provider's text.
 */
export class ApplicationTokenError extends AppError {
  readonly oauthError: string;
  readonly description: string | undefined;

  constructor(oauthError: string, description: string | undefined, cause?: unknown) {
    super(
      502,
      'application_token_refused',
      'The identity provider refused the application token',
      'The identity provider refused to issue this application a token of its own.',
      { cause },
    );
    this.oauthError = oauthError;
    this.description = description;
  }
}

/** The protected API is down, slow or refused the call; `title` names which. */
export class ResourceError extends AppError {
  constructor(
    status: 403 | 502 | 503 | 504,
    code: ErrorCode,
    title: string,
    publicMessage: string,
    cause?: unknown,
  ) {
    super(status, code, title, publicMessage, { cause });
  }
}

/** The protected API refused a freshly renewed token: a page with a way to sign in, not a redirect loop. */
export class ApiAccessRefusedError extends AppError {
  /** `cause`: what the API answered (its WWW-Authenticate challenge), for the log. */
  constructor(cause?: unknown) {
    super(
      403,
      'api_refused_token',
      'The protected API refused access',
      'The protected API refused your access even after it was renewed. Signing in again may help; if it does not, the API may not accept tokens for this app.',
      { action: signInAgain, cause },
    );
  }
}

/** A back-channel logout token that does not verify (answered 400 as JSON, not as a page). */
export class LogoutTokenError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super(400, 'logout_token_invalid', 'Invalid logout token', detail, { cause });
  }
}

/** A state-changing request without a valid CSRF token or from another origin. */
export class CsrfError extends AppError {
  constructor(publicMessage = 'This form has expired or did not come from this site.') {
    super(403, 'csrf_failed', 'Request refused', publicMessage, {
      action: { href: '/', label: 'Back to the home page' },
    });
  }
}

/** Too many sign-ins started (or callbacks answering none) from one client address. */
export class RateLimitError extends AppError {
  constructor() {
    super(
      429,
      'rate_limited',
      'Too many sign-in attempts',
      'Please wait a minute before trying to sign in again.',
      { action: { href: '/', label: 'Back to the home page' } },
    );
  }
}

/** The ceiling on sign-ins in progress, for all clients together, is reached. */
export class SignInCeilingError extends AppError {
  constructor() {
    super(
      503,
      'sign_in_ceiling',
      'Too many sign-ins in progress',
      'The service is handling too many sign-ins right now. Please try again in a few minutes.',
      { action: { href: '/', label: 'Back to the home page' } },
    );
  }
}

/** The session store cannot be reached. */
export class StoreError extends AppError {
  constructor(cause?: unknown) {
    super(
      503,
      'store_unavailable',
      'Temporarily unavailable',
      'Sessions cannot be read right now. Please try again in a moment.',
      { cause },
    );
  }
}

/**
 * The status of an error that is the client's fault: an AppError's 4xx, or the 4xx `status`
 * body-parser and friends put on theirs (e.g. 413 entity too large). Undefined for the rest.
 */
export function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Configuration values that cannot work: one line per problem, naming the variable and an example. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A start-up failure that is not the configuration's (a store, a port): one line for the operator. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** An error's message, for a one-line report; a thrown non-Error as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What to print when start-up fails for a known reason (one line per configuration problem). */
export function startFailureLines(error: unknown): string[] | undefined {
  if (error instanceof ConfigError)
    return error.problems.map((problem) => `Configuration error: ${problem}`);
  if (error instanceof StartupError) return [error.message];
  return undefined;
}
