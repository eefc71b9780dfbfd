// A temporary folder for one test, deleted after it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where cleanups are registered: a node:test context (`t`), or the benchmark's own list, which
 * runs them when it ends.
 */
export interface AfterHooks {
  after(cleanup: () => unknown): void;
}

/** Creates a folder named after `prefix` and removes it, with its content, after the test. */
export async function tempDir(t: AfterHooks, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
