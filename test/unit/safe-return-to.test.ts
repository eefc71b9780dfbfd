import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { safeReturnTo } from '../../src/flow/safe-return-to.ts';

const appOrigin = 'https://app.example';

const allowed: [name: string, input: string, expected: string][] = [
  ['the home page', '/', '/'],
  ['a page', '/resource', '/resource'],
  ['a page with a query and a fragment', '/flow?x=1#y', '/flow?x=1#y'],
  ['a nested path', '/a/b', '/a/b'],
  ['a path of exactly 256 characters', `/${'a'.repeat(255)}`, `/${'a'.repeat(255)}`],
];

const refused: [name: string, input: unknown][] = [
  ['an absolute http URL', 'http://evil.example/'],
  ['an absolute https URL', 'https://evil.example/resource'],
  ['a protocol-relative URL', '//evil.example'],
  ['a slash then a backslash', '/\\evil.example'],
  ['a backslash then a slash', '\\/evil.example'],
  ['encoded slashes after a slash', '/%2F%2Fevil.example'],
  ['encoded slashes alone', '%2F%2Fevil.example'],
  ['lower-case encoded slashes', '/%2f%2fevil.example'],
  ['an encoded backslash', '/%5Cevil'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['a relative path without a leading slash', 'resource'],
  ['a tab after the slash', '/\tx'],
  ['a NUL character', '/x\u0000y'],
  ['an escape character', '/x\u001b[31m'],
  ['a DEL character', '/x\u007f'],
  ['a newline', '/x\ny'],
  ['a CRLF header injection', '/x\r\nSet-Cookie: a=b'],
  ['an encoded CRLF', '/x%0d%0aSet-Cookie:%20a=b'],
  ['a line separator', '/x\u2028y'],
  ['a space', '/x y'],
  ['a dot segment before a double slash', '/.//evil.example'],
  ['a parent segment before a double slash', '/a/..//evil.example'],
  ['an encoded dot segment before a double slash', '/%2e//evil.example'],
  ['an empty string', ''],
  ['a path of 257 characters', `/${'a'.repeat(256)}`],
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['an object', { toString: () => '/resource' }],
  ['an array (a repeated query parameter)', ['/resource', '/other']],
];

describe('safeReturnTo', () => {
  for (const [name, input, expected] of allowed) {
    it(`keeps ${name}`, () => {
      const result = safeReturnTo(input);

      assert.equal(result, expected);
    });
  }

  for (const [name, input] of refused) {
    it(`replaces ${name} with /`, () => {
      const result = safeReturnTo(input);

      assert.equal(result, '/');
    });
  }

  it('normalises dot segments that stay on the app', () => {
    const result = safeReturnTo('/a/../resource');

    assert.equal(result, '/resource');
  });
});

/** Paths built from the segments and separators open-redirect payloads are made of. */
const segment = fc.oneof(
  { arbitrary: fc.constantFrom('', '.', '..'), weight: 3 },
  {
    arbitrary: fc.constantFrom('%2e', '%2e%2e', '.%2e', 'a', 'evil.example', '@evil.example'),
    weight: 1,
  },
);
const separator = fc.oneof(
  { arbitrary: fc.constant('/'), weight: 3 },
  { arbitrary: fc.constantFrom('\\', '%2F', '%5C', '\t', '\u3002', '\uff0f'), weight: 1 },
);
const redirectShaped = fc
  .tuple(
    fc.constantFrom('', '/', '\\', 'http:', 'https://evil.example'),
    fc.array(fc.tuple(segment, separator), { maxLength: 5 }),
    fc.constantFrom('', 'evil.example', '?next=//evil.example', '#//evil.example'),
  )
  .map(([start, segments, end]) => `${start}${segments.flat().join('')}${end}`);

/** What every result must satisfy: `/`, or a path on this origin that cannot name another host. */
function assertSameOriginPath(input: string): void {
  const result = safeReturnTo(input);

  assert.ok(
    result === '/' || /^\/[^/\\]/.test(result),
    `${JSON.stringify(input)} gave ${JSON.stringify(result)}`,
  );
  assert.equal(new URL(result, appOrigin).origin, appOrigin, JSON.stringify(input));
}

describe('safeReturnTo for any string', () => {
  it('returns / or a single-slash path on the app origin, for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), assertSameOriginPath), {
      numRuns: 2000,
    });
  });

  it('returns / or a single-slash path on the app origin, for redirect-shaped text', () => {
    fc.assert(fc.property(redirectShaped, assertSameOriginPath), { numRuns: 5000 });
  });

  it('returns a value it would accept unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(redirectShaped, fc.string({ maxLength: 64 })), (input) => {
        const result = safeReturnTo(input);

        assert.equal(safeReturnTo(result), result);
      }),
      { numRuns: 2000 },
    );
  });
});
