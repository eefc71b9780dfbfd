// Waiting for a server started as a child process (`node src/server.ts`, a benchmark's server)
// until its health route answers 200: polled every 10 ms, each poll bounded to a second, 30 s in all.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const timeoutMs = 30_000;

/**
 * Resolves once `url` answers 200. Rejects after 30 s, or as soon as `child` exits, with
 * `details()` (say, the end of its stderr) in the message.
 */
export async function waitUntilHealthy(
  url: string,
  options: { child: ChildProcess; details?: () => string },
): Promise<void> {
  const { child, details = () => '' } = options;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: the server exited (${child.exitCode}) ${details()}`);
    }
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s ${details()}`);
}
