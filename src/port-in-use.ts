// A port another process already holds at start-up: one line naming the variable that moves it,
// instead of an EADDRINUSE stack trace.
import { StartupError } from './errors.ts';

/** The variables that choose the ports the app and the development services listen on. */
export type PortVariable = 'PORT' | 'DEV_PROVIDER_PORT' | 'DEV_API_PORT';

/**
 * The one-line start-up error for a listen() that failed with EADDRINUSE on one of `ports`;
 * undefined for any other error.
 */
export function portInUseError(
  error: unknown,
  ports: Partial<Record<PortVariable, number>>,
): StartupError | undefined {
  // Node's listen error carries the port it tried: that tells which service could not start.
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code !== 'EADDRINUSE' || typeof port !== 'number') return undefined;
  const variable = Object.entries(ports).find(([, value]) => value === port)?.[0];
  if (variable === undefined) return undefined;
  return new StartupError(
    `Port ${port} is already in use: stop what runs there, or set ${variable} to a free port (e.g. ${variable}=${port + 100})`,
    { cause: error },
  );
}
