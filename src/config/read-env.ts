// Reading one environment variable with its schema, and the one-line errors for bad values.
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { listOf, type Variable, type VariableName, variables } from './variables.ts';

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
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
export const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' });
/** A 32-byte key written in base64 (`openssl rand -base64 32`), decoded. */
export const base64Key = z
  .string()
  .transform((text) => Buffer.from(text, 'base64'))
  .refine((key) => key.length === 32, 'needs 32-byte keys in base64');

/** One of `values`; anything else is refused with the list of them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be ${listOf(values)}` });
}

/** A comma-separated list (entries trimmed, empty ones dropped), each entry checked by `entry`. */
export function commaList<T>(entry: z.ZodType<T, string>) {
  return z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(entry));
}

/** The variable's parsed value, undefined when unset or empty; throws a one-line ConfigError. */
export function read<T>(
  env: NodeJS.ProcessEnv,
  name: VariableName,
  schema: z.ZodType<T>,
): T | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const variable: Variable = variables[name];
  const shown = variable.isSecret ? '' : ` (got "${raw}")`;
  const problem = result.error.issues[0]?.message ?? 'is invalid';
  throw new ConfigError(`${name} ${problem}${shown}; example: ${name}=${variable.example}`);
}

/** The variable's parsed value, or its declared default (variables.ts) when unset. */
export function readOrDefault<T>(
  env: NodeJS.ProcessEnv,
  name: VariableName,
  schema: z.ZodType<T>,
): T {
  const variable: Variable = variables[name];
  const value =
    read(env, name, schema) ??
    (variable.default === undefined ? undefined : schema.parse(variable.default));
  if (value === undefined) throw new Error(`${name} has no default in variables.ts`);
  return value;
}

/** Throws the one-line ConfigError for `name`: problem, then an example. */
export function fail(name: VariableName, problem: string): never {
  throw new ConfigError(`${name} ${problem}; example: ${name}=${variables[name].example}`);
}

/** localhost, 127.0.0.0/8 or [::1]: the hosts plain http is tolerated for. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
