import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startSerialSweeps } from '../../src/session/serial-sweeps.ts';

const MINUTE = 60_000;

/** Lets the promise callbacks of a pass run (the mocked timers leave setImmediate real). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A pass that counts its runs and waits until the test lets it end (`finish`) when
 * `isHeld` is true; a pass `failing` names throws instead.
 */
function controlledPass({ isHeld = false, failing = [] as number[] } = {}) {
  const runs: number[] = [];
  const waiting: Array<() => void> = [];
  const pass = async (): Promise<number> => {
    const run = runs.length + 1;
    runs.push(run);
    if (isHeld) await new Promise<void>((resolve) => waiting.push(resolve));
    if (failing.includes(run)) throw new Error(`pass ${run} failed`);
    return run;
  };
  const finish = () => waiting.shift()?.();
  return { pass, runs, finish };
}

function start(t: TestContext, pass: () => Promise<number>, onError: (error: unknown) => void) {
  const sweeps = startSerialSweeps(pass, { intervalMs: MINUTE, onError });
  t.after(() => sweeps.stop());
  return sweeps;
}

describe('startSerialSweeps', () => {
  it('runs a pass on each tick of its interval', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { pass, runs } = controlledPass();
    start(t, pass, (error) => assert.fail(String(error)));

    t.mock.timers.tick(MINUTE - 1);
    await settle();
    const beforeTheFirstTick = runs.length;
    t.mock.timers.tick(1);
    await settle();
    t.mock.timers.tick(MINUTE);
    await settle();

    assert.equal(beforeTheFirstTick, 0);
    assert.deepEqual(runs, [1, 2]);
  });

  it('skips the ticks that come while a pass is still running, and runs on the next tick once it ended', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { pass, runs, finish } = controlledPass({ isHeld: true });
    start(t, pass, (error) => assert.fail(String(error)));

    t.mock.timers.tick(MINUTE);
    await settle();
    t.mock.timers.tick(MINUTE);
    t.mock.timers.tick(MINUTE);
    await settle();
    const runsDuringThePass = runs.length;
    finish();
    await settle();
    const runsOnceItEnded = runs.length;
    t.mock.timers.tick(MINUTE);
    await settle();

    assert.equal(runsDuringThePass, 1);
    assert.equal(runsOnceItEnded, 1, 'a skipped tick leaves no pass waiting');
    assert.equal(runs.length, 2);
  });

  it('reports a failed timed pass to onError, and the next tick still runs a pass', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { pass, runs } = controlledPass({ failing: [1] });
    const errors: unknown[] = [];
    start(t, pass, (error) => errors.push(error));

    t.mock.timers.tick(MINUTE);
    await settle();
    t.mock.timers.tick(MINUTE);
    await settle();

    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['pass 1 failed'],
    );
    assert.deepEqual(runs, [1, 2]);
  });

  it('runs passes asked for with sweep() one after the other, each answering with its own result', async (t) => {
    const { pass, runs, finish } = controlledPass({ isHeld: true });
    const sweeps = start(t, pass, (error) => assert.fail(String(error)));

    const first = sweeps.sweep();
    const second = sweeps.sweep();
    await settle();
    const runsWhileTheFirstRuns = runs.length;
    finish();
    await settle();
    const runsOnceTheFirstEnded = runs.length;
    finish();

    assert.equal(runsWhileTheFirstRuns, 1, 'the second pass waits for the first');
    assert.equal(runsOnceTheFirstEnded, 2);
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  });

  it('rejects sweep() with the pass error, without onError, and runs the next pass all the same', async (t) => {
    const { pass } = controlledPass({ failing: [1] });
    const errors: unknown[] = [];
    const sweeps = start(t, pass, (error) => errors.push(error));

    const failed = sweeps.sweep();
    const next = sweeps.sweep();

    await assert.rejects(failed, { message: 'pass 1 failed' });
    assert.equal(await next, 2);
    assert.deepEqual(errors, [], 'the caller of sweep() gets the error');
  });

  it('skips a tick while a pass asked for with sweep() is running', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { pass, runs, finish } = controlledPass({ isHeld: true });
    const sweeps = start(t, pass, (error) => assert.fail(String(error)));

    const asked = sweeps.sweep();
    t.mock.timers.tick(MINUTE);
    await settle();
    finish();
    const result = await asked;
    await settle();

    assert.equal(result, 1);
    assert.deepEqual(runs, [1], 'no timed pass ran or waits');
  });

  it('runs no timed pass after stop()', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { pass, runs } = controlledPass();
    const sweeps = start(t, pass, (error) => assert.fail(String(error)));

    t.mock.timers.tick(MINUTE);
    await settle();
    sweeps.stop();
    t.mock.timers.tick(10 * MINUTE);
    await settle();

    assert.deepEqual(runs, [1]);
  });

  it('does not keep the process alive: its timer is unref()ed', (t) => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();

    start(
      t,
      async () => 0,
      (error) => assert.fail(String(error)),
    );

    assert.equal(timers(), before);
  });
});
