// The app's pino logger. Errors are logged through a serializer that keeps only safe fields, so a
// provider's answer or a request object can never carry a token into the log.
import { type Logger, pino } from 'pino';

interface LoggableError {
  type: string;
  message: string;
  code?: string;
  status?: number;
  /** An OAuth error answer's `error` and `error_description` (RFC 6749 §5.2). */
  error?: string;
  error_description?: string;
  /** The parameters of a WWW-Authenticate challenge (RFC 6750 §3): why an API refused a token. */
  www_authenticate?: LoggableChallenge[];
  cause?: LoggableError;
}

type LoggableChallenge = Partial<Record<(typeof challengeParameters)[number], string>> & {
  scheme: string;
};

// The challenge parameters worth a log line; anything else a server sends there is left out.
const challengeParameters = ['realm', 'error', 'error_description', 'scope'] as const;

const sensitive =
  /(eyJ[\w-]+\.[\w-]+\.[\w-]*)|\b((?:access_|refresh_|id_|logout_)?token|code(?:_verifier)?|client_secret|client_assertion|state|nonce)=([^&\s]+)/g;

/** Removes anything shaped like a JWT or a secret query parameter from a message. */
export function scrub(text: string): string {
  return text.replace(sensitive, (_match, jwt: string | undefined, name: string | undefined) =>
    jwt ? '[jwt redacted]' : `${name}=[redacted]`,
  );
}

/**
 * A safe, bounded view of an error and its causes for the log: its message, the OAuth error fields
 * a provider or API answered (openid-client keeps them as `error`, `error_description`, and the
 * parsed WWW-Authenticate challenges as the `cause` array), never a body or a header as a whole.
 */
export function serializeError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error)) {
    // An object is not stringified ("[object Object]"), nor logged: it may hold anything.
    return typeof error === 'object' && error !== null
      ? { type: Array.isArray(error) ? 'array' : 'object', message: 'not an Error: not logged' }
      : { type: typeof error, message: bounded(String(error)) };
  }
  const fields = error as Error & {
    code?: unknown;
    status?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  const challenges = challengesOf(error.cause);
  return {
    type: error.name,
    message: bounded(error.message),
    ...(typeof fields.code === 'string' && { code: fields.code }),
    ...(typeof fields.status === 'number' && { status: fields.status }),
    ...(typeof fields.error === 'string' && { error: bounded(fields.error) }),
    ...(typeof fields.error_description === 'string' && {
      error_description: bounded(fields.error_description),
    }),
    ...(challenges && { www_authenticate: challenges }),
    ...(error.cause !== undefined &&
      !challenges &&
      !isPlainBody(error.cause) &&
      depth < 3 && { cause: serializeError(error.cause, depth + 1) }),
  };
}

function bounded(text: string): string {
  return scrub(text).slice(0, 500);
}

/** openid-client's WWWAuthenticateChallengeError keeps `[{ scheme, parameters }]` as its cause. */
function challengesOf(cause: unknown): LoggableChallenge[] | undefined {
  if (!Array.isArray(cause) || cause.length === 0) return undefined;
  const challenges: LoggableChallenge[] = [];
  for (const item of cause.slice(0, 5)) {
    const { scheme, parameters } = (item ?? {}) as { scheme?: unknown; parameters?: unknown };
    if (typeof scheme !== 'string' || typeof parameters !== 'object' || parameters === null)
      return undefined;
    const challenge: LoggableChallenge = { scheme: bounded(scheme) };
    for (const name of challengeParameters) {
      const value = (parameters as Record<string, unknown>)[name];
      if (typeof value === 'string') challenge[name] = bounded(value);
    }
    challenges.push(challenge);
  }
  return challenges;
}

/**
 * A ResponseBodyError's cause is the provider's whole JSON answer: its `error` fields are already
 * logged from the error itself, and the rest is not read (it may be anything the provider sent).
 */
function isPlainBody(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && !(cause instanceof Error);
}

/** The logger; `destination` lets tests capture every line. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: serializeError },
    // A second line of defence: these never reach the log even if code passes them by mistake.
    redact: {
      paths: [
        '*.access_token',
        '*.refresh_token',
        '*.id_token',
        '*.code_verifier',
        '*.logout_token',
        '*.client_secret',
        '*.authorization',
        '*.cookie',
        '*.accessToken',
        '*.refreshToken',
        '*.idToken',
        '*.dpopKey',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
