// Measurement 3: full sign-ins per second through the provider's pages, each from a loopback
// address of its own, by `settings.signInWorkers` browsers at a time. The reference app and the
// peer take turns (half the time each, twice), so both see the same drift of the machine.
import {
  type LoopbackAddresses,
  percentile,
  type SignInOutcome,
  settings,
  signInFrom,
} from './support.ts';

export interface SignInFigures {
  completed: number;
  refused: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
}

interface SignInTally {
  counts: Record<SignInOutcome, number>;
  durationsMs: number[];
  seconds: number;
}

/** Sign-ins on `appUrl` and `peerUrl`, `seconds` each, in alternating halves. */
export async function measureSignInRates(
  appUrl: string,
  peerUrl: string,
  addresses: LoopbackAddresses,
  seconds = settings.signInSeconds,
): Promise<{ app: SignInFigures; peer: SignInFigures }> {
  const app = emptyTally();
  const peer = emptyTally();
  for (let turn = 0; turn < 2; turn++) {
    await signInFor(appUrl, seconds / 2, addresses, app);
    await signInFor(peerUrl, seconds / 2, addresses, peer);
  }
  return { app: figuresOf(app), peer: figuresOf(peer) };
}

/**
 * Runs `settings.signInWorkers` loops of sign-ins for `seconds`, adding to `tally`. Bounded in
 * time and in count: no loop starts a sign-in after the deadline, nor beyond 200 a second.
 */
async function signInFor(
  appUrl: string,
  seconds: number,
  addresses: LoopbackAddresses,
  tally: SignInTally,
): Promise<void> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let remaining = Math.ceil(seconds * 200);
  const worker = async () => {
    while (performance.now() < deadline && remaining-- > 0) {
      const begin = performance.now();
      const { outcome } = await signInFrom(addresses.next(), appUrl);
      tally.counts[outcome]++;
      if (outcome === 'completed') tally.durationsMs.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: settings.signInWorkers }, worker));
  // The last sign-ins may end after the deadline: the rate counts the time they took.
  tally.seconds += (performance.now() - started) / 1000;
}

function emptyTally(): SignInTally {
  return { counts: { completed: 0, refused: 0, failed: 0 }, durationsMs: [], seconds: 0 };
}

function figuresOf({ counts, durationsMs, seconds }: SignInTally): SignInFigures {
  return {
    ...counts,
    seconds,
    perSecond: counts.completed / seconds,
    p50Ms: percentile(durationsMs, 50),
  };
}
