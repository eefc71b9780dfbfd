// What /flow says about a refresh, read from the recorded history around it: why it happened and
// whether the provider rotated the refresh token.
import { refreshSkew } from '../flow/call-protected-api.ts';
import type { FlowStep } from '../protocol.ts';

/**
 * Why a refresh happened, read from the history: the API refused the token just before (a 401,
 * RFC 6750 §3.1), or the access token was within the refresh skew of its expiry, or past it.
 */
export function refreshReason(steps: FlowStep[], index: number, skewMs: number): string {
  const refresh = steps[index];
  const before = steps[index - 1];
  if (!refresh) return '';
  if (
    (before?.kind === 'bearer-call' || before?.kind === 'dpop-call') &&
    before.response?.status === 401
  ) {
    return 'The API refused the access token (HTTP 401): refreshed once, and the call retried once.';
  }
  const issued = steps
    .slice(0, index)
    .findLast(
      (step) => step.tokens !== undefined && step.response?.fields.expires_in !== undefined,
    );
  const lifetimeMs = Number(issued?.response?.fields.expires_in) * 1000;
  if (!issued || !Number.isFinite(lifetimeMs)) {
    return 'The access token was due for renewal (its expiry is older than this history).';
  }
  const expiresAt = issued.at + lifetimeMs;
  const expiry = new Date(expiresAt).toISOString().slice(11, 19);
  if (refresh.at >= expiresAt) return `The access token had expired, at ${expiry} UTC.`;
  const skewSeconds = Math.round(refreshSkew(skewMs, lifetimeMs) / 1000);
  const left = Math.round((expiresAt - refresh.at) / 1000);
  return `The access token would expire at ${expiry} UTC, in ${left} s: within the refresh skew of ${skewSeconds} s, so it was renewed ahead of time.`;
}

/** Whether the provider rotated the refresh token (RFC 9700 §4.14.2), told by fingerprints. */
export function rotationOf(step: FlowStep): string {
  const sent = step.tokens?.refreshTokenSent;
  const received = step.tokens?.refreshTokenReceived;
  if (step.response?.status !== 200) return 'No new tokens: the refresh failed.';
  const sentText = sent ? `#${sent}` : 'the old one';
  if (!received) return `Not rotated: no new refresh token came, so ${sentText} stays in use.`;
  if (received === sent) return `Not rotated: the same refresh token came back (#${received}).`;
  return `Rotated: refresh token ${sentText} was replaced by #${received}, and the provider may refuse the old one from now on.`;
}
