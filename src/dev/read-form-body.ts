// Reads a small application/x-www-form-urlencoded request body, the only kind the dev provider's
// sign-in and consent forms send, without a body-parser dependency.
import type { IncomingMessage } from 'node:http';
import { errors } from 'oidc-provider';

/** Far more than the forms send; anything larger is refused before it is buffered. */
const maxBodyBytes = 8 * 1024;

export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
  const mediaType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new errors.InvalidRequest(
      'only application/x-www-form-urlencoded forms are accepted',
      415,
    );
  }
  if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) throw tooLarge();

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBodyBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function tooLarge(): Error {
  return new errors.InvalidRequest('the form is too large', 413);
}
