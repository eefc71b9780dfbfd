import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/http/logger.ts';
import { formatLogLine } from '../../src/http/pretty-log.ts';

/** What the app's own logger writes for one call, as JSON lines. */
function jsonLinesOf(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  log(createLogger('debug', { write: (line: string) => lines.push(line) }));
  return lines;
}

describe('formatLogLine (LOG_FORMAT=pretty)', () => {
  it('lays a line out as time, level, message, then the fields, without pid and hostname', () => {
    const [line = ''] = jsonLinesOf((logger) =>
      logger.info({ url: 'http://localhost:3000', address: '127.0.0.1:3000' }, 'ready'),
    );

    const pretty = formatLogLine(line);

    assert.match(
      pretty,
      /^\d\d:\d\d:\d\d INFO {2}ready url=http:\/\/localhost:3000 address=127\.0\.0\.1:3000$/,
    );
  });

  it('shows an error as its type, message, code and causes, on one line', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const [line = ''] = jsonLinesOf((logger) =>
      logger.warn({ err: new TypeError('fetch failed', { cause }) }, 'discovery failed'),
    );

    const pretty = formatLogLine(line);

    assert.match(
      pretty,
      / WARN {2}discovery failed err="TypeError: fetch failed ← Error: connect ECONNREFUSED \(ECONNREFUSED\)"$/,
    );
  });

  it('keeps redaction: a token field stays redacted, quoted values stay on one line', () => {
    const [line = ''] = jsonLinesOf((logger) =>
      logger.debug(
        { tokens: { refresh_token: 'rt-secret' }, note: 'two words\nand a newline' },
        'x',
      ),
    );

    const pretty = formatLogLine(line);

    assert.doesNotMatch(pretty, /rt-secret|\n/);
    assert.match(
      pretty,
      /tokens=\{"refresh_token":"\[redacted\]"\} note="two words\\nand a newline"$/,
    );
  });

  it('shows a request line as method, path, status and time first', () => {
    const [line = ''] = jsonLinesOf((logger) =>
      logger.warn(
        { reqId: 'r-1', method: 'GET', path: '/nope', status: 404, ip: '127.0.0.1', ms: 4 },
        'request',
      ),
    );

    const pretty = formatLogLine(line);

    assert.match(pretty, / WARN {2}GET \/nope 404 4ms reqId=r-1 ip=127\.0\.0\.1$/);
  });

  it('returns a line that is not JSON as it is', () => {
    assert.equal(formatLogLine('plain text\n'), 'plain text');
  });
});
