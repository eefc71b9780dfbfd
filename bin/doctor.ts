// npm run doctor: checks the configuration `npm start` would use (the same environment and .env)
// against the provider and the API, without a browser; exits 1 when a check fails.
import { runDoctor } from '../src/doctor/run-doctor.ts';

const { lines, exitCode } = await runDoctor(process.env, { dataDir: 'data' });
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = exitCode;
