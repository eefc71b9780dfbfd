// Measurement 5b: time from `node src/server.ts` to the first 200 from /healthz, in production
// mode on SQLite (a new database file each time). The median of a few starts, each stopped after.
import type { BenchStack } from './bench-stack.ts';
import { percentile } from './support.ts';

export interface StartFigures {
  medianMs: number;
  minMs: number;
  maxMs: number;
  starts: number;
}

export async function measureStartToHealthy(stack: BenchStack, starts = 3): Promise<StartFigures> {
  const times: number[] = [];
  for (let run = 0; run < starts; run++) {
    const app = await stack.startApp('sqlite');
    times.push(app.startMs);
    await app.stop();
  }
  return {
    medianMs: percentile(times, 50),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    starts,
  };
}
