// Benchmark: 200 people behind one address (an office NAT) sign in within a minute, with the
// default sign-in limits: every sign-in goes through the development provider's sign-in and
// consent pages, 20 at a time. Prints the time taken and the answers that were not a sign-in.
// Usage: node bench/sign-in-crowd.ts [--people 200] [--parallel 20] [--store sqlite|redis]
// With --store redis, REDIS_URL names a running Redis (e.g. redis://127.0.0.1:6379).
import { parseArgs } from 'node:util';
import { startLocalStack } from '../test/support/test-app.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '200' },
    parallel: { type: 'string', default: '20' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const people = Number(values.people);

const app = await startLocalStack({
  env: {
    SESSION_STORE: values.store,
    ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }),
    LOG_LEVEL: 'silent',
  },
});
const failures: string[] = [];
let next = 0;
const started = performance.now();
const signInNext = async () => {
  while (next < people) {
    const person = next++;
    await app.signIn(`person${person}`).catch((error: unknown) => {
      failures.push(`person${person}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
};
await Promise.all(Array.from({ length: Number(values.parallel) }, signInNext));
const seconds = (performance.now() - started) / 1000;
await app.close();

console.log(
  `${people - failures.length} of ${people} signed in from one address in ${seconds.toFixed(1)} s`,
);
for (const failure of failures.slice(0, 10)) console.log(`  ${failure}`);
process.exitCode = failures.length === 0 && seconds < 60 ? 0 : 1;
