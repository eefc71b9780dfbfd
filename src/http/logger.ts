// The app's pino logger. Errors are logged through a serializer that keeps only safe fields, so a
// provider's answer or a request object can never carry a token into the log.
import { type Logger, pino } from 'pino';

interface LoggableError {
  type: string;
  message: string;
  code?: string;
  status?: number;
  error?: string;
  cause?: LoggableError;
}

const sensitive =
  /(eyJ[\w-]+\.[\w-]+\.[\w-]*)|\b((?:access_|refresh_|id_|logout_)?token|code(?:_verifier)?|client_secret|client_assertion|state|nonce)=([^&\s]+)/g;

/** Removes anything shaped like a JWT or a secret query parameter from a message. */
export function scrub(text: string): string {
  return text.replace(sensitive, (_match, jwt: string | undefined, name: string | undefined) =>
    jwt ? '[jwt redacted]' : `${name}=[redacted]`,
  );
}

/** A safe, bounded view of an error and its causes for the log. */
export function serializeError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error))
    return { type: typeof error, message: scrub(String(error)).slice(0, 500) };
  const fields = error as Error & { code?: unknown; status?: unknown; error?: unknown };
  return {
    type: error.name,
    message: scrub(error.message).slice(0, 500),
    ...(typeof fields.code === 'string' && { code: fields.code }),
    ...(typeof fields.status === 'number' && { status: fields.status }),
    ...(typeof fields.error === 'string' && { error: fields.error }),
    ...(error.cause !== undefined &&
      depth < 3 && { cause: serializeError(error.cause, depth + 1) }),
  };
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
