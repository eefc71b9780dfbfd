// The doctor's clock check: the provider's time, from the Date header of its last answer
// (RFC 9110 §6.6.1), against this machine's, within the leeway ID tokens get.
import {
  type CheckResult,
  idTokenClockToleranceSeconds,
  type ProviderClock,
} from '../oidc/provider-checks.ts';

/** Whether our clock and the provider's (from its Date header) agree within the ID-token leeway. */
export function checkClock(observed: ProviderClock | undefined): CheckResult {
  const label = 'Clock';
  const providerTime = observed ? Date.parse(observed.providerDate) : Number.NaN;
  if (!observed || Number.isNaN(providerTime)) {
    const detail = 'not compared: no answer of the provider carried a Date header';
    return { status: 'warn', label, detail };
  }
  // The Date header has whole seconds: our clock is compared with the start of that second.
  const aheadSeconds = Math.trunc((observed.receivedAt - providerTime) / 1000);
  const tolerance = `token times are checked with ${idTokenClockToleranceSeconds} s of leeway`;
  if (aheadSeconds === 0)
    return { status: 'ok', label, detail: `agrees with the provider's (${tolerance})` };
  const way = aheadSeconds > 0 ? 'ahead of' : 'behind';
  const detail = `this machine's clock is ${Math.abs(aheadSeconds)} s ${way} the provider's (${tolerance})`;
  if (Math.abs(aheadSeconds) <= idTokenClockToleranceSeconds)
    return { status: 'ok', label, detail };
  const fix =
    "synchronise this machine's clock (NTP): tokens would look not yet valid or expired, and logout tokens be refused";
  return { status: 'fail', label, detail, fix };
}
