// What /flow shows, built from the recorded steps: each step with its words, source and specs,
// its parameters explained, and what can be read from the history around it (why a refresh
// happened, whether the refresh token rotated, how the ID token was checked), plus the latest
// tokens decoded and where each scope went. Pure: the route hands it the steps.
import type { FlowStep, FlowStepKind, SignOutRecord } from '../protocol.ts';
import { type ClaimRow, describeClaims } from './claim-meanings.ts';
import { explainScopes, type ScopeExplanation } from './explain-scopes.ts';
import { parameterHelp, type StepGuide, stepGuides } from './flow-guide.ts';
import { checkIdToken, type IdTokenCheck } from './id-token-checks.ts';

export interface FlowPageInput {
  /** This user's steps, oldest first. */
  steps: FlowStep[];
  /** The process's discovery, shared by every user. */
  discovery: FlowStep | undefined;
  clientId: string;
  /** TOKEN_REFRESH_SKEW_SECONDS, in ms: how long before expiry a token is renewed. */
  refreshSkewMs: number;
  signedOut: SignOutRecord | undefined;
}

export interface Row {
  name: string;
  value: string;
  isRedacted: boolean;
  help?: string;
}

export interface StepView {
  /** Unique on the page: ids of headings and labels derive from it. */
  id: string;
  step: FlowStep;
  guide: StepGuide;
  params: Row[];
  fields: Row[];
  /** A refresh: why it happened, and what became of the refresh token. */
  refresh?: { reason: string; rotation: string };
  /** A code exchange with an ID token: the checks of OIDC Core §3.1.3.7. */
  idTokenChecks?: IdTokenCheck[];
}

export interface FlowPage {
  provider: StepView | undefined;
  steps: StepView[];
  /** The kinds of step this user has gone through (the sequence diagram marks them). */
  seen: Set<FlowStepKind>;
  idToken?: { at: number; header: ClaimRow[]; payload: ClaimRow[] };
  accessToken?: { at: number; payload: ClaimRow[] | 'opaque' };
  scopes?: ScopeExplanation[];
  signedOut: SignOutRecord | undefined;
}

/** Builds the page's model. */
export function describeFlowPage(input: FlowPageInput): FlowPage {
  const { steps } = input;
  const issuer = input.discovery?.response?.fields.issuer;
  const algorithms = (input.discovery?.response?.fields.id_token_signing_alg_values_supported ?? '')
    .split(' ')
    .filter((alg) => alg && alg !== 'absent');
  const views = steps.map((step, index): StepView => {
    const view = viewOf(step, `step-${index + 1}`);
    if (step.kind === 'token-refresh') {
      view.refresh = {
        reason: refreshReason(steps, index, input.refreshSkewMs),
        rotation: rotationOf(step),
      };
    }
    const idToken = step.tokens?.idToken;
    if (step.kind === 'token-request' && idToken) {
      view.idTokenChecks = checkIdToken(idToken, {
        issuer,
        clientId: input.clientId,
        nonce: nonceBefore(steps, index),
        algorithms,
        receivedAt: step.at,
      });
    }
    return view;
  });
  const latestId = steps.findLast((step) => step.tokens?.idToken);
  const latestAccess = steps.findLast((step) => step.tokens?.accessToken);
  const accessPayload = latestAccess?.tokens?.accessToken;
  const requested = steps.findLast((step) => step.request.params.scope !== undefined);
  const granted = steps.findLast((step) => step.tokens !== undefined);
  return {
    provider: input.discovery && viewOf(input.discovery, 'provider'),
    steps: views,
    seen: new Set(steps.map((step) => step.kind)),
    ...(latestId?.tokens?.idToken && {
      idToken: {
        at: latestId.at,
        header: describeClaims(latestId.tokens.idToken.header),
        payload: describeClaims(latestId.tokens.idToken.payload),
      },
    }),
    ...(latestAccess &&
      accessPayload && {
        accessToken: {
          at: latestAccess.at,
          payload: accessPayload === 'opaque' ? 'opaque' : describeClaims(accessPayload),
        },
      }),
    ...(requested?.request.params.scope !== undefined &&
      granted && {
        scopes: explainScopes(requested.request.params.scope, granted.response?.fields.scope),
      }),
    signedOut: input.signedOut,
  };
}

function viewOf(step: FlowStep, id: string): StepView {
  const rows = (values: Record<string, string>, withHelp: boolean): Row[] =>
    Object.entries(values).map(([name, value]) => {
      const help = withHelp ? parameterHelp[name] : undefined;
      return { name, value, isRedacted: value.endsWith('(redacted)'), ...(help && { help }) };
    });
  return {
    id,
    step,
    guide: stepGuides[step.kind],
    params: rows(step.request.params, true),
    fields: rows(step.response?.fields ?? {}, false),
  };
}

/** The nonce of the authorization request (sent directly or pushed) this code exchange answers. */
function nonceBefore(steps: FlowStep[], index: number): string | undefined {
  return steps
    .slice(0, index)
    .findLast(
      (step) =>
        step.kind === 'authorization-request' || step.kind === 'pushed-authorization-request',
    )?.request.params.nonce;
}

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
  // As isFresh decides: the skew, but never more than half the token's life.
  const skewSeconds = Math.round(Math.min(skewMs, lifetimeMs / 2) / 1000);
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
