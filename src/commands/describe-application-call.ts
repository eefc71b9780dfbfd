// What `npm run client-credentials` prints about one call: where the token came from, its
// metadata (a JWT's payload is decoded for display only: the API is the one that verifies it) and
// the API's answer. Never the token itself.
import { decodeJwt, type JWTPayload } from 'jose';
import type { ApplicationCall } from '../flow/client-credentials.ts';
import type { StoredTokens } from '../protocol.ts';
import { printable } from './printable.ts';

/** The most of an answer the terminal shows: in full, and on one line. */
const maxAnswerChars = 4000;
const compactAnswerChars = 160;

/** The lines for call `index` (1-based) of `count`, at `now` (epoch milliseconds). */
export function describeApplicationCall(
  call: ApplicationCall,
  index: number,
  count: number,
  now: number,
): string[] {
  const { token, answer } = call;
  const heading = `Call ${index} of ${count}: `;
  const lines = call.isReused
    ? [`${heading}reused cached token (expires in ${expiresIn(token, now)})`]
    : [`${heading}new token from the token endpoint`, ...describeToken(token, now)];
  lines.push(row('API answer', `HTTP ${answer.status} ${printable(answer.contentType)}`.trim()));
  // In full once per token; after that, its first line is enough to see the call went through.
  const body = formatBody(answer.body, answer.contentType, { isCompact: call.isReused });
  for (const line of body.split('\n')) lines.push(`    ${line}`);
  return lines;
}

/** Token type, expiry, scope and, for a JWT, who issued it for whom. */
function describeToken(token: StoredTokens, now: number): string[] {
  const lines = [
    row('token type', printable(token.tokenType)),
    row(
      'expires in',
      token.expiresAt === undefined
        ? 'not given (kept until the API refuses it)'
        : `${expiresIn(token, now)} (at ${new Date(token.expiresAt).toISOString()})`,
    ),
    row('scope', printable(token.scope ?? '(none named in the token response)')),
  ];
  const claims = jwtPayloadOf(token.accessToken);
  if (!claims) return [...lines, row('format', 'opaque (only the provider can read it)')];
  return [
    ...lines,
    row('format', 'JWT (payload decoded for display; the API verifies the signature)'),
    row('issuer', printable(String(claims.iss ?? '-'))),
    row('audience', printable([claims.aud ?? '-'].flat().join(', '))),
    row('subject', printable(String(claims.sub ?? '- (no user)'))),
    row('client_id', printable(String(claims.client_id ?? '-'))),
  ];
}

function jwtPayloadOf(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function expiresIn(token: StoredTokens, now: number): string {
  if (token.expiresAt === undefined) return 'unknown time';
  return `${Math.max(0, Math.round((token.expiresAt - now) / 1000))} s`;
}

/** JSON indented (or on one line); other text as it came. Bounded, without control characters. */
function formatBody(body: string, contentType: string, { isCompact = false } = {}): string {
  let text = body;
  if (/\bjson\b/i.test(contentType)) {
    try {
      text = JSON.stringify(JSON.parse(body), null, isCompact ? undefined : 2);
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  const limit = isCompact ? compactAnswerChars : maxAnswerChars;
  const shown = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return printable(shown, { keepNewlines: !isCompact });
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)}${value}`;
}
