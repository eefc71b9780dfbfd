// Reading an environment variable with the parser declared beside it, the one-line errors for bad
// values, and collecting those lines so that every bad variable is reported at once.
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { type Variable, type VariableName, variables } from './variables.ts';

type Declared = typeof variables;
/** What a variable's parser makes of its text. */
type ValueOf<N extends VariableName> = z.output<Declared[N]['parse']>;
/** A variable with a declared default always has a value; the others are undefined when unset. */
type ReadValue<N extends VariableName> = Declared[N] extends { default: string }
  ? ValueOf<N>
  : ValueOf<N> | undefined;

/** The variable's parsed value (or its default when unset or empty); throws a one-line ConfigError. */
export function read<N extends VariableName>(env: NodeJS.ProcessEnv, name: N): ReadValue<N> {
  // The declaration ties each name to its parser, which TypeScript cannot follow through `name`.
  return parseVariable(env, name) as ReadValue<N>;
}

function parseVariable(env: NodeJS.ProcessEnv, name: VariableName): unknown {
  const variable: Variable = variables[name];
  const raw = env[name]?.trim() || variable.default;
  if (raw === undefined) return undefined;
  const result = variable.parse.safeParse(raw);
  if (result.success) return result.data;
  const shown = variable.isSecret ? '' : ` (got "${raw}")`;
  const problem = result.error.issues[0]?.message ?? 'is invalid';
  throw new ConfigError([`${name} ${problem}${shown}; example: ${name}=${variable.example}`]);
}

/** Parses every declared variable, so each bad value is reported even where nothing reads it yet. */
export function readEveryVariable(env: NodeJS.ProcessEnv): void {
  const names = Object.keys(variables) as VariableName[];
  checkAll(...names.map((name) => () => parseVariable(env, name)));
}

/** Whether the variable is set to something other than blanks, valid or not. */
export function isSet(env: NodeJS.ProcessEnv, name: VariableName): boolean {
  return Boolean(env[name]?.trim());
}

/** Throws the one-line ConfigError for `name`: problem, then an example. */
export function fail(name: VariableName, problem: string): never {
  throw new ConfigError([`${name} ${problem}; example: ${name}=${variables[name].example}`]);
}

/**
 * Runs every check, even after one fails, and returns their values in order; otherwise throws one
 * ConfigError with all their problems. A check that fails because a value it reads is bad repeats
 * that value's line, so repeated lines are reported once.
 */
export function checkAll<const T extends readonly unknown[]>(
  ...checks: { [K in keyof T]: () => T[K] }
): T {
  const problems = new Set<string>();
  const values = checks.map((check) => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) problems.add(problem);
      return undefined;
    }
  });
  if (problems.size > 0) throw new ConfigError([...problems]);
  // Every check returned: `values` holds their results in order, which map cannot type as a tuple.
  return values as unknown as T;
}

/** localhost, 127.0.0.0/8 or [::1]: the hosts plain http is tolerated for. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
