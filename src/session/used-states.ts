// Each sign-in's `state` is answered once per process, however many copies of its callback arrive
// at the same moment. They all load the session before the first one saves it without the pending
// login, so the session alone cannot tell them apart; and a callback that answers a sign-in is
// never refused by the sign-in limits (src/http/sign-in-limits.ts). Without this, one started
// sign-in would let a script send the provider's token endpoint any number of codes.

/** The states this process has started to answer, each remembered until its sign-in expires. */
export interface UsedStates {
  /** True the first time `state` is used before `until` (epoch ms); false for every copy after. */
  use(state: string, until: number, now: number): boolean;
}

/** At most `maxStates` are remembered (the oldest go first): memory stays bounded under a flood. */
export function createUsedStates(maxStates = 100_000): UsedStates {
  // Insertion order is close to expiry order (every sign-in lives as long), so the oldest come first.
  const untilByState = new Map<string, number>();
  return {
    use(state, until, now) {
      for (const [oldest, expiry] of untilByState) {
        if (expiry > now && untilByState.size < maxStates) break;
        untilByState.delete(oldest);
      }
      if (untilByState.has(state)) return false;
      untilByState.set(state, until);
      return true;
    },
  };
}
