// A stand-in for the protected API: a loopback server that answers as the test says and keeps
// what it received, closed when the test ends. Point RESOURCE_URL (or `resourceUrl`) at its `url`.
import type {
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
  RequestListener,
  ServerResponse,
} from 'node:http';
import type { TestContext } from 'node:test';
import { listenLocal } from './local-server.ts';

/** One answer. A string body is sent as it is, an object as JSON with its content type. */
export interface StandInAnswer {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string | object;
}

/**
 * What the stand-in answers: the same answer to every call; a list answered in turn, its last
 * answer again after that; or a listener that writes the answer itself (a body that never ends,
 * a connection dropped half-way, no answer at all).
 */
export type StandInAnswers = StandInAnswer | InTurn | RequestListener;

type InTurn = [StandInAnswer, ...StandInAnswer[]];

/** A request as the stand-in received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface StandInApi {
  /** http://127.0.0.1:<port>/me, the API's address. */
  url: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
}

/** Starts a stand-in protected API answering with `answers`; it is closed after the test. */
export async function startStandInApi(
  t: TestContext,
  answers: StandInAnswers,
): Promise<StandInApi> {
  const requests: ReceivedRequest[] = [];
  const api = await listenLocal((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (typeof answers === 'function') return answers(req, res);
    const inTurn: InTurn = Array.isArray(answers) ? answers : [answers];
    send(res, inTurn[Math.min(requests.length, inTurn.length) - 1] ?? inTurn[0]);
  });
  t.after(() => api.close());
  return { url: `${api.url}/me`, requests };
}

function send(res: ServerResponse, { status, headers = {}, body }: StandInAnswer): void {
  if (typeof body === 'object') {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return;
  }
  res.writeHead(status, headers);
  res.end(body);
}
