import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowStep } from '../../src/protocol.ts';
import { createFlowHistory, mergeByTime } from '../../src/recorder/flow-history.ts';

function apiCall(at: number): FlowStep {
  return {
    at,
    kind: 'bearer-call',
    request: { method: 'GET', url: 'https://api.example/me', params: {} },
  };
}

function refresh(at: number): FlowStep {
  return { ...apiCall(at), kind: 'token-refresh' };
}

describe('createFlowHistory', () => {
  it("merges a session's stored steps with its in-memory ones by time", () => {
    const history = createFlowHistory();

    history.keep('session-a', [apiCall(2), apiCall(4)]);
    const steps = history.stepsOf('session-a', [refresh(1), refresh(3)]);

    assert.deepEqual(
      steps.map((step) => step.at),
      [1, 2, 3, 4],
    );
  });

  it('keeps the newest steps of a session only', () => {
    const history = createFlowHistory({ sessions: 10, steps: 3 });

    for (let at = 1; at <= 5; at += 1) history.keep('session-a', [apiCall(at)]);

    assert.deepEqual(
      history.stepsOf('session-a', []).map((step) => step.at),
      [3, 4, 5],
    );
  });

  it('keeps fewer steps for a session when asked (a browser nobody is signed into)', () => {
    const history = createFlowHistory();

    history.keep('anonymous', [apiCall(1), apiCall(2), apiCall(3)], 2);

    assert.deepEqual(
      history.stepsOf('anonymous', []).map((step) => step.at),
      [2, 3],
    );
  });

  it('drops the session used longest ago when there are too many', () => {
    const history = createFlowHistory({ sessions: 2, steps: 10 });
    history.keep('first', [apiCall(1)]);
    history.keep('second', [apiCall(2)]);

    history.keep('first', [apiCall(3)]);
    history.keep('third', [apiCall(4)]);

    assert.equal(history.stepsOf('second', []).length, 0, 'the least recently used is gone');
    assert.equal(history.stepsOf('first', []).length, 2);
    assert.equal(history.stepsOf('third', []).length, 1);
  });

  it('hands over and forgets the steps of a session whose id ended, and never mixes sessions', () => {
    const history = createFlowHistory();
    history.keep('session-a', [apiCall(1)]);
    history.keep('session-b', [apiCall(2)]);

    const taken = history.take('session-a');

    assert.deepEqual(
      taken.map((step) => step.at),
      [1],
    );
    assert.deepEqual(history.stepsOf('session-a', []), []);
    assert.deepEqual(
      history.stepsOf('session-b', []).map((step) => step.at),
      [2],
    );
  });
});

describe('mergeByTime', () => {
  it('puts the stored step first on a tie and keeps each list in its order', () => {
    const stored = [refresh(1), refresh(1)];
    const kept = [apiCall(1)];

    const merged = mergeByTime(stored, kept);

    assert.deepEqual(
      merged.map((step) => step.kind),
      ['token-refresh', 'token-refresh', 'bearer-call'],
    );
  });
});
