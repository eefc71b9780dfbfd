// What /flow shows, built from the recorded steps: each step with its words, source and specs,
// its parameters explained, and what can be read from the history around it (why a refresh
// happened, whether the refresh token rotated, how the ID token was checked), plus the latest
// tokens decoded and where each scope went. Pure: the route hands it the steps.
import { describeSignOut } from '../flow/sign-out.ts';
import type { FlowStep, SignOutRecord } from '../protocol.ts';
import { isSignInStart } from '../recorder/flow-recorder.ts';
import { type ClaimRow, describeClaims } from './claim-meanings.ts';
import { explainEachScope, type ScopeDestination, type ScopeLine } from './explain-scopes.ts';
import { describeSequence, type SequenceDiagram } from './flow-sequence.ts';
import { describeCheck, describeStep, type StepView } from './flow-step-view.ts';
import { checkIdToken } from './id-token-checks.ts';
import { refreshReason, rotationOf } from './refresh-facts.ts';

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

export interface FlowPage {
  provider: StepView | undefined;
  steps: StepView[];
  /** Neither a step of this user's nor the process's discovery: the page invites a first call. */
  isEmpty: boolean;
  /** The heading of the steps: after a sign-out, they are the sign-out's own. */
  stepsTitle: string;
  /** The flow at a glance, the kinds of step this user has gone through marked. */
  sequence: SequenceDiagram;
  idToken?: { at: number; header: ClaimRow[]; payload: ClaimRow[] };
  accessToken?: { at: number; payload: ClaimRow[] | 'opaque' };
  scopes?: Array<ScopeLine & { destination: string }>;
  /** After a sign-out: when, and what became of the refresh token and the provider's session. */
  signedOut: { at: number; refreshToken: string; providerSession: string } | undefined;
}

/** Where each scope went, in the words of /flow's scope list. */
const scopeDestinations: Record<ScopeDestination, string> = {
  'access-token': 'access token',
  'id-token': 'ID token, UserInfo',
  'refresh-token': 'refresh token',
  'not-granted': 'not granted',
};

/** Builds the page's model. */
export function describeFlowPage(input: FlowPageInput): FlowPage {
  const { steps } = input;
  const issuer = input.discovery?.response?.fields.issuer;
  const algorithms = (input.discovery?.response?.fields.id_token_signing_alg_values_supported ?? '')
    .split(' ')
    .filter((alg) => alg && alg !== 'absent');
  const views = steps.map((step, index): StepView => {
    const view = describeStep(step, `step-${index + 1}`, steps[0]?.at);
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
      }).map(describeCheck);
    }
    return view;
  });
  const latestId = steps.findLast((step) => step.tokens?.idToken);
  const latestAccess = steps.findLast((step) => step.tokens?.accessToken);
  const accessPayload = latestAccess?.tokens?.accessToken;
  const requested = steps.findLast((step) => step.request.params.scope !== undefined);
  const granted = steps.findLast((step) => step.tokens !== undefined);
  return {
    provider: input.discovery && describeStep(input.discovery, 'provider'),
    steps: views,
    isEmpty: steps.length === 0 && input.discovery === undefined,
    stepsTitle: input.signedOut ? 'The sign-out, step by step' : 'Your steps',
    sequence: describeSequence(
      new Set(steps.map((step) => step.kind)),
      input.discovery !== undefined,
    ),
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
        scopes: explainEachScope(
          requested.request.params.scope,
          granted.response?.fields.scope,
        ).map((line) => ({ ...line, destination: scopeDestinations[line.goesTo] })),
      }),
    signedOut: input.signedOut && signedOutView(input.signedOut),
  };
}

function signedOutView(record: SignOutRecord): NonNullable<FlowPage['signedOut']> {
  const { refreshToken, providerSession } = describeSignOut(record);
  return { at: record.at, refreshToken, providerSession };
}

/**
 * The nonce of the authorization request (sent directly or pushed) this code exchange answers:
 * the one whose state came back at the callback before it, not another tab's.
 */
function nonceBefore(steps: FlowStep[], index: number): string | undefined {
  const earlier = steps.slice(0, index);
  const state = earlier.findLast((step) => step.kind === 'authorization-response')?.request.params
    .state;
  return earlier.findLast((step) => isSignInStart(step) && step.request.params.state === state)
    ?.request.params.nonce;
}
