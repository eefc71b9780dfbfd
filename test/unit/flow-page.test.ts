import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { FlowStep } from '../../src/protocol.ts';
import { describeClaims } from '../../src/routes/claim-meanings.ts';
import { explainEachScope } from '../../src/routes/explain-scopes.ts';
import { stepGuides } from '../../src/routes/flow-guide.ts';
import { describeFlowPage, type FlowPageInput } from '../../src/routes/flow-page.ts';
import { checkIdToken } from '../../src/routes/id-token-checks.ts';
import { refreshReason, rotationOf } from '../../src/routes/refresh-facts.ts';

const root = path.join(import.meta.dirname, '../..');
const minute = 60_000;

function step(kind: FlowStep['kind'], at: number, extra: Partial<FlowStep> = {}): FlowStep {
  return { at, kind, request: { method: 'GET', url: 'https://x.example/', params: {} }, ...extra };
}

const signIn = step('token-request', 0, {
  response: { status: 200, fields: { expires_in: '300' } },
  tokens: { refreshTokenReceived: 'aaaaaaaa' },
});

describe('refreshReason', () => {
  it('names a 401 from the API just before the refresh', () => {
    const refused = step('bearer-call', 1000, { response: { status: 401, fields: {} } });
    const steps = [signIn, refused, step('token-refresh', 1001)];

    assert.match(refreshReason(steps, 2, minute), /refused the access token \(HTTP 401\)/);
  });

  it('names the skew when the token had not expired yet', () => {
    const steps = [signIn, step('token-refresh', 4.5 * minute)];

    assert.match(refreshReason(steps, 1, minute), /in 30 s: within the refresh skew of 60 s/);
  });

  it('names the expiry when the token had expired', () => {
    const steps = [signIn, step('token-refresh', 10 * minute)];

    assert.match(refreshReason(steps, 1, minute), /had expired, at 00:05:00 UTC/);
  });
});

describe('rotationOf', () => {
  it('tells a rotated, a returned and a kept refresh token apart', () => {
    const answered = { status: 200, fields: {} };
    const rotated = step('token-refresh', 1, {
      response: answered,
      tokens: { refreshTokenSent: 'aaaaaaaa', refreshTokenReceived: 'bbbbbbbb' },
    });
    const same = step('token-refresh', 1, {
      response: answered,
      tokens: { refreshTokenSent: 'aaaaaaaa', refreshTokenReceived: 'aaaaaaaa' },
    });
    const kept = step('token-refresh', 1, {
      response: answered,
      tokens: { refreshTokenSent: 'aaaaaaaa' },
    });

    assert.match(
      rotationOf(rotated),
      /^Rotated: refresh token #aaaaaaaa was replaced by #bbbbbbbb/,
    );
    assert.match(rotationOf(same), /^Not rotated: the same refresh token came back/);
    assert.match(rotationOf(kept), /^Not rotated: no new refresh token came, so #aaaaaaaa stays/);
  });
});

describe('checkIdToken', () => {
  const now = 1_800_000_000;
  const token = {
    header: { alg: 'RS256', kid: 'k1' },
    payload: {
      iss: 'https://op.example',
      aud: 'app',
      exp: now + 3600,
      iat: now,
      nonce: 'n-1',
      sub: 'alice',
    },
  };
  const expected = {
    issuer: 'https://op.example',
    clientId: 'app',
    nonce: 'n-1',
    algorithms: ['RS256'],
    receivedAt: now * 1000,
  };

  it('passes every check of a good token, its signature verified against the key set', () => {
    const checks = checkIdToken(token, expected);

    assert.deepEqual(
      checks.map((check) => [check.name, check.isOk]),
      [
        ['signature', true],
        ['alg', true],
        ['iss', true],
        ['aud', true],
        ['azp', true],
        ['exp', true],
        ['iat', true],
        ['nonce', true],
      ],
    );
  });

  it('fails the checks whose values differ', () => {
    const forged = {
      header: { alg: 'none' },
      payload: { ...token.payload, iss: 'https://evil.example', aud: ['app', 'other'], nonce: 'x' },
    };

    const failed = checkIdToken(forged, expected)
      .filter((check) => check.isOk === false)
      .map((check) => check.name);

    assert.deepEqual(failed, ['signature', 'alg', 'iss', 'azp', 'nonce']);
  });

  it('says an HS256 signature was verified with the client secret', () => {
    const symmetric = { ...token, header: { alg: 'HS256' } };

    const [signature] = checkIdToken(symmetric, { ...expected, algorithms: ['HS256'] });

    assert.equal(signature?.isOk, true);
    assert.match(signature?.expected ?? '', /with the client secret/);
  });
});

describe('explainEachScope', () => {
  it('says which scopes the access token carries and where the others went', () => {
    const explained = explainEachScope(
      'openid profile email offline_access api:read api:write',
      'api:read',
    );

    assert.deepEqual(
      explained.map(({ scope, goesTo }) => `${scope} ${goesTo}`),
      [
        'openid id-token',
        'profile id-token',
        'email id-token',
        'offline_access refresh-token',
        'api:read access-token',
        'api:write not-granted',
      ],
    );
  });

  it('takes a response without scope as granting what was asked (RFC 6749 §5.1)', () => {
    const explained = explainEachScope('openid api:read', undefined);

    assert.equal(explained.find((row) => row.scope === 'api:read')?.goesTo, 'access-token');
  });
});

describe('describeFlowPage', () => {
  const input: FlowPageInput = {
    steps: [],
    discovery: undefined,
    clientId: 'app',
    refreshSkewMs: minute,
    signedOut: undefined,
  };

  it('is empty with neither a step nor the discovery, and titles the steps by whether they are a sign-out', () => {
    const signOutStep = step('token-revocation', 1);
    const signedOut = { at: 1, revocation: 'revoked', endSession: 'redirected' } as const;

    const empty = describeFlowPage(input);
    const discovered = describeFlowPage({ ...input, discovery: step('discovery', 0) });
    const afterSignOut = describeFlowPage({ ...input, steps: [signOutStep], signedOut });

    assert.equal(empty.isEmpty, true);
    assert.equal(discovered.isEmpty, false);
    assert.equal(afterSignOut.isEmpty, false);
    assert.equal(afterSignOut.stepsTitle, 'The sign-out, step by step');
    assert.equal(describeFlowPage({ ...input, steps: [signIn] }).stepsTitle, 'Your steps');
  });

  it("words where each scope went for /flow's list", () => {
    const authorize = step('authorization-request', 0, {
      request: { method: 'GET', url: 'x', params: { scope: 'openid offline_access api:read' } },
    });

    const page = describeFlowPage({ ...input, steps: [authorize, signIn] });

    assert.deepEqual(
      page.scopes?.map(({ scope, destination }) => `${scope}: ${destination}`),
      ['openid: ID token, UserInfo', 'offline_access: refresh token', 'api:read: access token'],
    );
  });
});

describe('describeClaims', () => {
  it('gives each known claim a meaning and each time claim a date', () => {
    const rows = describeClaims({ exp: 1_800_000_000, sub: 'alice', custom: { a: 1 } });

    assert.equal(rows[0]?.date, '2027-01-15T08:00:00.000Z');
    assert.match(rows[1]?.meaning ?? '', /Subject/);
    assert.deepEqual(rows[2], { name: 'custom', value: '{"a":1}', meaning: '' });
  });
});

describe('stepGuides', () => {
  for (const [kind, guide] of Object.entries(stepGuides)) {
    it(`names a function that exists for ${kind} (${guide.source})`, () => {
      const [file = '', name = ''] = guide.source.split('#');
      const source = path.join(root, file);

      assert.ok(existsSync(source), `${file} exists`);
      assert.match(readFileSync(source, 'utf8'), new RegExp(`function ${name}\\b`));
    });
  }
});
