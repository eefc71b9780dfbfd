import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSequence } from '../../src/routes/flow-sequence.ts';

describe('describeSequence', () => {
  it('draws the arrows of the kinds of step gone through as done, a DPoP call as the Bearer call', () => {
    const diagram = describeSequence(new Set(['token-request', 'dpop-call']), true);

    const done = diagram.arrows.filter((arrow) => arrow.state === 'done').map((a) => a.label);

    assert.deepEqual(done, [
      'discovery (once)',
      'code + verifier',
      'tokens (ID token checked)',
      'Bearer access token',
    ]);
    assert.equal(diagram.doneSteps, done.join(', '));
  });

  it('counts a plain OAuth 2.0 user endpoint as UserInfo, and the discovery only when it was made', () => {
    const diagram = describeSequence(new Set(['user-endpoint']), false);

    assert.equal(diagram.doneSteps, 'UserInfo / user endpoint');
  });

  it('says none yet when no arrow was gone through', () => {
    assert.equal(describeSequence(new Set(), false).doneSteps, 'none yet');
  });

  it('runs each arrow between the lifelines of its two parties, stopping short of them', () => {
    const diagram = describeSequence(new Set(), false);
    const lane = Object.fromEntries(diagram.lanes.map(({ name, x }) => [name, x]));

    const toBrowser = diagram.arrows.find((arrow) => arrow.label === '302 to the provider');

    assert.deepEqual(
      [toBrowser?.x1, toBrowser?.x2],
      [(lane.App ?? 0) - 3, (lane.Browser ?? 0) + 3],
      'right to left, from the app to the browser',
    );
    assert.ok(diagram.arrows.every((arrow) => arrow.y < diagram.lifelineBottom));
  });
});
