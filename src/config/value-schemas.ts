// The zod schemas that turn an environment variable's text into a value. Their messages end up in
// the one-line errors, after the variable's name: "PORT must be a port from 0 to 65535".
import { z } from 'zod';

export const wholeNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number');
export const port = wholeNumber
  .min(0, 'must be a port from 0 to 65535')
  .max(65535, 'must be a port from 0 to 65535');
export const positive = wholeNumber.min(1, 'must be at least 1');
/**
 * A session lifetime. The pending login lives in the session, so a sign-in at the provider must
 * fit in it; 2 minutes is also the shortest idle timeout OWASP's Session Management Cheat Sheet
 * suggests (for high-value applications).
 */
export const sessionSeconds = wholeNumber.min(
  120,
  'must be at least 120: a sign-in at the provider has to fit in it',
);
export const text = z.string();
export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => new URL(value));
export const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');
/** A query string, as parameter names and values. */
export const queryString = z
  .string()
  .transform((value) => Object.fromEntries(new URLSearchParams(value)));
/** A 32-byte key written in base64 (`openssl rand -base64 32`), decoded. */
export const base64Key = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === 32, 'needs 32-byte keys in base64');
/** Express's `trust proxy`: a hop count or proxy addresses; `false` is the same as unset. */
export const trustProxy = z.string().transform((value) => {
  if (value === 'true' || value === 'false') return value === 'true' || undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
});

/** One of `values`; anything else is refused with the list of them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be ${listOf(values)}` });
}

/** A comma-separated list (entries trimmed, empty ones dropped), each entry checked by `entry`. */
export function commaList<T>(entry: z.ZodType<T, string>) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(entry));
}

/** `a, b or c`, each value between two `mark`s: how doc lines and error messages list choices. */
export function listOf(values: readonly string[], mark = ''): string {
  const marked = values.map((value) => `${mark}${value}${mark}`);
  if (marked.length < 2) return marked.join('');
  return `${marked.slice(0, -1).join(', ')} or ${marked.at(-1)}`;
}
