// Measurement 5b: time from `node src/server.ts` to the first 200 from /healthz (polled every
// 10 ms by spawnServer), in production mode on SQLite with a new database file. Read from the
// SQLite app processes the run starts anyway, so it costs no extra starts.
import type { ServerProcess } from './server-process.ts';
import { percentile } from './support.ts';

export interface StartFigures {
  medianMs: number;
  minMs: number;
  maxMs: number;
  starts: number;
}

export function startFiguresOf(servers: ServerProcess[]): StartFigures {
  const times = servers.map((server) => server.startMs);
  return {
    medianMs: percentile(times, 50),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    starts: times.length,
  };
}
