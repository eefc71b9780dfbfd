// One recorded step as /flow shows it: its title and words, when it happened, who asked, what came
// back, each parameter and field as a row. Pure; flow-page.ts adds what only the history around a
// step can tell (why a refresh happened, the ID token checks).
import type { FlowStep } from '../protocol.ts';
import { parameterHelp, type SpecLink, stepGuides } from './flow-guide.ts';
import type { IdTokenCheck } from './id-token-checks.ts';

export interface Row {
  name: string;
  value: string;
  isRedacted: boolean;
  help?: string;
}

/** A check with its result spelled out: a CSS modifier, a mark, and words for screen readers. */
export interface CheckView extends IdTokenCheck {
  result: 'ok' | 'failed' | 'skipped';
  mark: string;
  resultLabel: string;
}

export interface StepView {
  /** Unique on the page: ids of headings and labels derive from it. */
  id: string;
  step: FlowStep;
  title: string;
  explanation: string;
  /** `path#function` of the code that performs the step. */
  source: string;
  specs: SpecLink[];
  /** Steps of the timeline show the time of day; the process's discovery, maybe days old, the date. */
  isTimeOnly: boolean;
  /** On the timeline: the time since its first step ('start' for that one). */
  elapsedLabel?: string;
  requestPanelTitle: string;
  params: Row[];
  answerPanelTitle: string;
  /** After the answer's status, when the browser followed it to the provider. */
  statusNote?: string;
  fields: Row[];
  /** Said in place of the fields when there are none; absent when the status is the whole answer. */
  emptyAnswerText?: string;
  /** A refresh: why it happened, and what became of the refresh token. */
  refresh?: { reason: string; rotation: string };
  /** A code exchange with an ID token: the checks of OIDC Core §3.1.3.7. */
  idTokenChecks?: CheckView[];
}

/** A step as /flow shows it; `startedAt` is the first step's time, for a step of the timeline. */
export function describeStep(step: FlowStep, id: string, startedAt?: number): StepView {
  const guide = stepGuides[step.kind];
  const statusNote = isRedirectToProvider(step)
    ? 'to this URL: the browser followed it to the provider.'
    : undefined;
  const emptyAnswer = emptyAnswerText(step);
  return {
    id,
    step,
    title: stepTitle(step),
    explanation: explanationOf(step),
    source: guide.source,
    specs: guide.specs,
    isTimeOnly: startedAt !== undefined,
    ...(startedAt !== undefined && { elapsedLabel: elapsedLabel(step.at, startedAt) }),
    requestPanelTitle: isBrowserLeg(step) ? 'The browser asked' : 'The server asked',
    params: rowsOf(step.request.params, { withHelp: true }),
    answerPanelTitle: isRedirectToProvider(step) ? 'The app answered first' : 'The answer',
    ...(statusNote && { statusNote }),
    fields: rowsOf(step.response?.fields ?? {}, { withHelp: false }),
    ...(emptyAnswer && { emptyAnswerText: emptyAnswer }),
  };
}

/**
 * The time since the timeline's first step: `+850 ms`, `+2.5 s`, `+10 min 3 s`. Rounded first, then
 * split: a time that rounds to a whole minute reads `+1 min 0 s`, never `+60.0 s` or `+1 min 60 s`.
 */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `+${ms} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `+${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `+${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function elapsedLabel(at: number, startedAt: number): string {
  return at === startedAt ? 'start' : formatElapsed(at - startedAt);
}

/** The kind's title; a pushed request's redirect carries only its request_uri (RFC 9126 §4). */
function stepTitle(step: FlowStep): string {
  const isPushed = step.kind === 'authorization-request' && 'request_uri' in step.request.params;
  return isPushed ? 'Authorization request (pushed)' : stepGuides[step.kind].title;
}

/** The kind's explanation, and the DPoP proof that went with a request other than an API call. */
function explanationOf(step: FlowStep): string {
  const { explanation } = stepGuides[step.kind];
  // A DPoP API call's own explanation already says so.
  const hasProof = step.kind !== 'dpop-call' && 'dpop (claims)' in step.request.params;
  return hasProof
    ? `${explanation} A DPoP proof went with it (RFC 9449): a JWT signed with the key this session keeps on the server, naming its public key, the method and URL, and the time.`
    : explanation;
}

/** What the answer panel says when it has no fields to list; undefined after a redirect's status. */
function emptyAnswerText(step: FlowStep): string | undefined {
  if (!step.response) {
    return step.kind === 'authorization-response'
      ? 'The app answers once the steps below succeed: a redirect to the page you came from.'
      : 'No response recorded for this step.';
  }
  if (isRedirectToProvider(step)) return undefined;
  return step.kind === 'bearer-call' || step.kind === 'dpop-call'
    ? "The API's answer is on the API page; only its status is kept here."
    : 'No fields.';
}

/** A check's result as the page marks it: passed, failed, or not checked at all. */
export function describeCheck(check: IdTokenCheck): CheckView {
  if (check.isOk === undefined) {
    return { ...check, result: 'skipped', mark: '–', resultLabel: 'Not checked:' };
  }
  return check.isOk
    ? { ...check, result: 'ok', mark: '✓', resultLabel: 'Passed:' }
    : { ...check, result: 'failed', mark: '✗', resultLabel: 'Failed:' };
}

/** The steps the browser made itself: to the provider, and back to the app. */
function isBrowserLeg(step: FlowStep): boolean {
  return isRedirectToProvider(step) || step.kind === 'authorization-response';
}

/** The steps the app answered with a redirect that sent the browser on to the provider. */
function isRedirectToProvider(step: FlowStep): boolean {
  return step.kind === 'authorization-request' || step.kind === 'end-session';
}

function rowsOf(values: Record<string, string>, { withHelp }: { withHelp: boolean }): Row[] {
  return Object.entries(values).map(([name, value]) => {
    const help = withHelp ? parameterHelp[name] : undefined;
    return { name, value, isRedacted: value.endsWith('(redacted)'), ...(help && { help }) };
  });
}
