// The sequence diagram at the top of /flow: the authorization-code flow between the four parties,
// the arrows of the kinds of step this user has gone through drawn solid, the others dashed.
import type { FlowStepKind } from '../protocol.ts';

type Party = 'Browser' | 'App' | 'Provider' | 'API';

/** The parties, left to right, and where each one's lifeline runs. */
const parties: Party[] = ['Browser', 'App', 'Provider', 'API'];
const laneX: Record<Party, number> = { Browser: 45, App: 135, Provider: 225, API: 315 };

/** The flow's exchanges in order: the kind of step that makes each one, from, to, label. */
const exchanges: Array<[FlowStepKind, Party, Party, string]> = [
  ['discovery', 'App', 'Provider', 'discovery (once)'],
  ['authorization-request', 'Browser', 'App', 'GET /login'],
  ['authorization-request', 'App', 'Browser', '302 to the provider'],
  ['authorization-request', 'Browser', 'Provider', 'authorization request'],
  ['authorization-response', 'Provider', 'Browser', '302 ?code&state&iss'],
  ['authorization-response', 'Browser', 'App', 'GET /callback'],
  ['token-request', 'App', 'Provider', 'code + verifier'],
  ['token-request', 'Provider', 'App', 'tokens (ID token checked)'],
  ['jwks', 'App', 'Provider', 'key set (once per process)'],
  ['userinfo', 'App', 'Provider', 'UserInfo / user endpoint'],
  ['bearer-call', 'App', 'API', 'Bearer access token'],
  ['token-refresh', 'App', 'Provider', 'refresh'],
  ['token-revocation', 'App', 'Provider', 'revoke'],
  ['end-session', 'Browser', 'Provider', 'end session'],
];

const top = 44;
const rowHeight = 30;
/** How far an arrow stops short of a lifeline. */
const gap = 3;

export interface SequenceArrow {
  label: string;
  state: 'done' | 'not-seen';
  x1: number;
  x2: number;
  y: number;
  labelX: number;
  labelY: number;
}

export interface SequenceDiagram {
  height: number;
  lanes: Array<{ name: Party; x: number }>;
  lifelineBottom: number;
  arrows: SequenceArrow[];
  /** The labels of the arrows gone through, for the diagram's text description. */
  doneSteps: string;
}

/** The diagram for the kinds of step a user has gone through (the discovery is the process's). */
export function describeSequence(seen: Set<FlowStepKind>, hasDiscovery: boolean): SequenceDiagram {
  const height = top + exchanges.length * rowHeight + 10;
  const arrows = exchanges.map(([kind, from, to, label], index): SequenceArrow => {
    const y = top + index * rowHeight + 18;
    const direction = laneX[to] > laneX[from] ? 1 : -1;
    return {
      label,
      state: isDone(kind, seen, hasDiscovery) ? 'done' : 'not-seen',
      x1: laneX[from] + direction * gap,
      x2: laneX[to] - direction * gap,
      y,
      labelX: (laneX[from] + laneX[to]) / 2,
      labelY: y - 5,
    };
  });
  const done = [...new Set(arrows.filter((arrow) => arrow.state === 'done').map((a) => a.label))];
  return {
    height,
    lanes: parties.map((name) => ({ name, x: laneX[name] })),
    lifelineBottom: height - 4,
    arrows,
    doneSteps: done.length > 0 ? done.join(', ') : 'none yet',
  };
}

function isDone(kind: FlowStepKind, seen: Set<FlowStepKind>, hasDiscovery: boolean): boolean {
  if (kind === 'discovery') return hasDiscovery;
  // A DPoP call is a Bearer call with a proof; a plain OAuth 2.0 user endpoint stands for UserInfo.
  return (
    seen.has(kind) ||
    (kind === 'bearer-call' && seen.has('dpop-call')) ||
    (kind === 'userinfo' && seen.has('user-endpoint'))
  );
}
