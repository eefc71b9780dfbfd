// The shape of the data express-session keeps for a browser: declared once, here.
import type { SessionData } from 'express-session';
import type { FlowStep, PendingLogin, SignOutRecord } from '../protocol.ts';

/** Who is signed in, from the validated ID token (or user endpoint). Tokens are not here: see TokenStore. */
export interface SessionUser {
  sub: string;
  name?: string;
  email?: string;
  /** Epoch milliseconds of the sign-in; the absolute session lifetime counts from it. */
  signedInAt: number;
}

declare module 'express-session' {
  interface SessionData {
    /** Pending logins keyed by their `state`. */
    pendingLogins: Record<string, PendingLogin>;
    user: SessionUser;
    /** Epoch milliseconds when a signed-in session's expiry last moved (see extendActiveSession). */
    extendedAt: number;
    /** Synchronizer token for state-changing forms (logout). */
    csrfToken: string;
    /** A one-time message shown on the next page (e.g. "your sign-in expired"). */
    notice: string;
    /**
     * The exchanges of this browser's sign-in, secrets redacted, oldest first (src/recorder): JSON,
     * deflated, base64. Read and written by `storedSteps` and `storeSteps` (src/recorder/flow-recorder.ts).
     */
    compressedFlow: string;
    /**
     * Where versions before 2026-12-02 kept the steps, as objects: still read by `storedSteps`,
     * removed by the next write of the steps or the end of the sign-in.
     */
    flow: FlowStep[];
    /** How the last sign-out went: only in the fresh session a sign-out leaves (flow/sign-out.ts). */
    signedOut: SignOutRecord;
  }
}

declare global {
  namespace Express {
    interface Locals {
      /** Set by logRequests for every request. */
      requestId: string;
      /** Set by loadTokenRecord on pages of a signed-in session. Never rendered. */
      tokenRecord?: import('./token-store.ts').TokenRecord;
    }
  }
}

/** The session in a stored text, or null when the text is not one (express-session needs `cookie`). */
export function parseSessionData(text: unknown): SessionData | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const isSession =
    typeof value === 'object' &&
    value !== null &&
    'cookie' in value &&
    typeof value.cookie === 'object' &&
    value.cookie !== null;
  return isSession ? (value as SessionData) : null;
}
