// `npm run client-credentials [-- --scope <scopes>]`: this application gets a token of its own
// (client credentials grant) and calls RESOURCE_URL with it. Reads the same environment as
// `npm start`; prints the answer and the token's metadata (never the token); exit code 1 on failure.
import { parseArgs } from 'node:util';
import { runClientCredentials } from '../src/commands/run-client-credentials.ts';

const { values } = parseArgs({ options: { scope: { type: 'string' } } });

const run = await runClientCredentials(process.env, {
  dataDir: 'data',
  ...(values.scope !== undefined && { scope: values.scope }),
  logTo: process.stderr,
});
for (const line of run.lines) process.stdout.write(`${line}\n`);
if (run.error) process.stderr.write(`${run.error}\n`);
process.exitCode = run.exitCode;
