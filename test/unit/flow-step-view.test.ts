import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowStep } from '../../src/protocol.ts';
import { stepGuides } from '../../src/routes/flow-guide.ts';
import { describeCheck, describeStep, formatElapsed } from '../../src/routes/flow-step-view.ts';

function step(kind: FlowStep['kind'], extra: Partial<FlowStep> = {}): FlowStep {
  return {
    at: 0,
    kind,
    request: { method: 'GET', url: 'https://x.example/', params: {} },
    ...extra,
  };
}

const redirected = { status: 302, fields: {} };

describe('formatElapsed', () => {
  it('counts milliseconds below one second', () => {
    assert.equal(formatElapsed(999), '+999 ms');
  });

  it('counts seconds with one decimal from one second', () => {
    assert.equal(formatElapsed(1000), '+1.0 s');
    assert.equal(formatElapsed(59_949), '+59.9 s');
  });

  it('counts minutes and whole seconds from where a tenth of a second rounds to a minute', () => {
    assert.equal(formatElapsed(59_950), '+1 min 0 s');
    assert.equal(formatElapsed(59_999), '+1 min 0 s');
    assert.equal(formatElapsed(60_000), '+1 min 0 s');
    assert.equal(formatElapsed(61_500), '+1 min 2 s');
  });

  it('never writes 60 seconds: it carries them into the minutes', () => {
    assert.equal(formatElapsed(119_499), '+1 min 59 s');
    assert.equal(formatElapsed(119_500), '+2 min 0 s');
    assert.equal(formatElapsed(119_999), '+2 min 0 s');
  });
});

describe('describeStep', () => {
  it('shows a step of the timeline with its time since the first, the first as its start', () => {
    const first = describeStep(step('authorization-request', { at: 5000 }), 'step-1', 5000);
    const later = describeStep(step('token-request', { at: 6500 }), 'step-2', 5000);

    assert.equal(first.elapsedLabel, 'start');
    assert.equal(later.elapsedLabel, '+1.5 s');
    assert.equal(later.isTimeOnly, true);
  });

  it('shows the discovery, outside the timeline, with its date and no elapsed time', () => {
    const view = describeStep(step('discovery'), 'provider');

    assert.equal(view.elapsedLabel, undefined);
    assert.equal(view.isTimeOnly, false);
  });

  it("titles a pushed request's redirect apart from one carrying the parameters", () => {
    const pushed = step('authorization-request', {
      request: { method: 'GET', url: 'https://x.example/auth', params: { request_uri: 'urn:x' } },
    });

    assert.equal(describeStep(pushed, 'step-1').title, 'Authorization request (pushed)');
    assert.equal(
      describeStep(step('authorization-request'), 'step-1').title,
      'Authorization request',
    );
  });

  it("says the browser asked for the browser's legs and the server for its own calls", () => {
    const signInStart = describeStep(step('authorization-request', { response: redirected }), 's');
    const callback = describeStep(step('authorization-response'), 's');
    const exchange = describeStep(step('token-request'), 's');

    assert.equal(signInStart.requestPanelTitle, 'The browser asked');
    assert.equal(signInStart.answerPanelTitle, 'The app answered first');
    assert.equal(signInStart.statusNote, 'to this URL: the browser followed it to the provider.');
    assert.equal(signInStart.emptyAnswerText, undefined, 'the status is the whole answer');
    assert.equal(callback.requestPanelTitle, 'The browser asked');
    assert.equal(callback.answerPanelTitle, 'The answer');
    assert.match(callback.emptyAnswerText ?? '', /^The app answers once the steps below succeed/);
    assert.equal(exchange.requestPanelTitle, 'The server asked');
    assert.equal(exchange.statusNote, undefined);
    assert.equal(exchange.emptyAnswerText, 'No response recorded for this step.');
  });

  it('says an API call keeps only its status, and another answer without fields has none', () => {
    const apiCall = describeStep(
      step('bearer-call', { response: { status: 200, fields: {} } }),
      's',
    );
    const revocation = describeStep(
      step('token-revocation', { response: { status: 200, fields: {} } }),
      's',
    );

    assert.match(apiCall.emptyAnswerText ?? '', /answer is on the API page/);
    assert.equal(revocation.emptyAnswerText, 'No fields.');
  });

  it('adds the DPoP proof to the explanation of a request that carried one, but not twice to a DPoP call', () => {
    const params = { 'dpop (claims)': '{…}' };
    const refresh = step('token-refresh', { request: { method: 'POST', url: 'x', params } });
    const apiCall = step('dpop-call', { request: { method: 'GET', url: 'x', params } });

    const refreshView = describeStep(refresh, 's');
    const apiCallView = describeStep(apiCall, 's');

    assert.match(refreshView.explanation, /A DPoP proof went with it \(RFC 9449\)/);
    assert.ok(refreshView.explanation.startsWith(stepGuides['token-refresh'].explanation));
    assert.equal(apiCallView.explanation, stepGuides['dpop-call'].explanation);
  });
});

describe('describeCheck', () => {
  it('marks a passed, a failed and an unchecked check apart', () => {
    const check = { name: 'nonce', actual: 'a', expected: 'b' };

    const results = [true, false, undefined].map((isOk) => describeCheck({ ...check, isOk }));

    assert.deepEqual(
      results.map(({ result, mark, resultLabel }) => [result, mark, resultLabel]),
      [
        ['ok', '✓', 'Passed:'],
        ['failed', '✗', 'Failed:'],
        ['skipped', '–', 'Not checked:'],
      ],
    );
  });
});
