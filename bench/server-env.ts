// The environment of the servers the benchmark compares (bench/peer-app.ts, bench/baseline-app.ts):
// a variable they cannot run without. Not in support.ts, which would load the load generator into
// the servers measured.

/** The variable's value; throws, naming it, when it is unset or empty. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
