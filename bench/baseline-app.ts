// The benchmark's floor: a bare Express route calling the same protected API with one fixed token
// (BASELINE_ACCESS_TOKEN), with no session, no refresh, no page. What the reference app's
// /resource costs beyond this is what its sessions, encryption at rest and pages cost.
import express from 'express';

const port = Number(required('PORT'));
const resourceUrl = required('RESOURCE_URL');
const accessToken = required('BASELINE_ACCESS_TOKEN');

const app = express();

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/resource', async (_req, res) => {
  const response = await fetch(resourceUrl, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  res.status(response.ok ? 200 : 502).json(await response.json());
});

app.listen(port, '127.0.0.1');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
