// LOG_FORMAT=pretty: each JSON line pino writes, re-laid as one short line for a developer's
// terminal. It only reformats: redaction and the error serializer have already run.
import { styleText } from 'node:util';
import type { DestinationStream } from 'pino';

type Style = Parameters<typeof styleText>[0];
/** Colours a piece of the line; the identity when colours are off. */
export type Paint = (style: Style, text: string) => string;

const levels: Record<number, { label: string; style: Style }> = {
  10: { label: 'TRACE', style: 'gray' },
  20: { label: 'DEBUG', style: 'gray' },
  30: { label: 'INFO', style: 'green' },
  40: { label: 'WARN', style: 'yellow' },
  50: { label: 'ERROR', style: 'red' },
  60: { label: 'FATAL', style: 'magenta' },
};
/** Shown in their own place (time, level, message) or not at all (the same on every line). */
const laidOut = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

interface SerializedError {
  type?: unknown;
  message?: unknown;
  code?: unknown;
  /** An OAuth error code (`invalid_grant`…) from the provider's answer. */
  error?: unknown;
  cause?: unknown;
}

/** `12:03:04 INFO  ready url=http://localhost:3000 …`; a line that is not JSON comes back as it is. */
export function formatLogLine(line: string, paint: Paint = (_style, text) => text): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.trimEnd();
  }
  const time = new Date(Number(entry.time)).toTimeString().slice(0, 8);
  const level = levels[Number(entry.level)] ?? { label: String(entry.level), style: 'white' };
  const { message, shown } = requestSummary(entry) ?? { message: entry.msg, shown: entry };
  const fields = Object.entries(shown)
    .filter(([name, value]) => !laidOut.has(name) && value !== undefined)
    .map(([name, value]) => `${paint('gray', `${name}=`)}${formatValue(name, value)}`);
  return [paint('gray', time), paint(level.style, level.label.padEnd(5)), message, ...fields]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

/** The request log line (request-logger.ts) as `GET /resource 200 12ms`, the other fields after it. */
function requestSummary(entry: Record<string, unknown>) {
  const { msg, method, path, status, ms, ...rest } = entry;
  if (msg !== 'request' || method === undefined || path === undefined) return undefined;
  return { message: `${method} ${path} ${status} ${ms}ms`, shown: rest };
}

function formatValue(name: string, value: unknown): string {
  if (name === 'err' && typeof value === 'object' && value !== null)
    return JSON.stringify(describeError(value as SerializedError));
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `TypeError: fetch failed ← Error: connect … (ECONNREFUSED)`: the serialized error and its causes. */
function describeError(error: SerializedError): string {
  const codes = [error.code, error.error].filter((code) => typeof code === 'string');
  const code = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  const cause =
    typeof error.cause === 'object' && error.cause !== null
      ? ` ← ${describeError(error.cause as SerializedError)}`
      : '';
  return `${String(error.type)}: ${String(error.message)}${code}${cause}`;
}

/** A pino destination writing formatted lines to `output`, coloured when it is a colour terminal. */
export function prettyLogStream(output: NodeJS.WriteStream): DestinationStream {
  // styleText leaves the text plain when `output` is no terminal, or NO_COLOR is set.
  const paint: Paint = (style, text) => styleText(style, text, { stream: output });
  return { write: (line: string) => output.write(`${formatLogLine(line, paint)}\n`) };
}
