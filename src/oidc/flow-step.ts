// One step of the OAuth flow as the /flow page shows it: a request and its response, secrets redacted.

export interface FlowStep {
  /** Epoch milliseconds. */
  at: number;
  /** e.g. "Authorization request", "Token request (authorization_code)". */
  title: string;
  /** Why this step exists, one sentence. */
  explanation: string;
  request: { method: string; url: string; params: Record<string, string> };
  response?: { status?: number; fields: Record<string, string> };
}
