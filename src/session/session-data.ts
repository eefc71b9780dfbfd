// The shape of the data express-session keeps for a browser: declared once, here.
import type {} from 'express-session';
import type { FlowStep } from '../oidc/flow-step.ts';

/** One login in progress, kept until its callback arrives (several tabs may log in at once). */
export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  /** Epoch milliseconds after which the callback is refused. */
  expiresAt: number;
  /** The authorization request as the /flow page will show it. */
  step: FlowStep;
}

/** Who is signed in, from the validated ID token. Tokens are not here: see TokenStore. */
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
    /** Synchronizer token for state-changing forms (logout). */
    csrfToken: string;
    /** A one-time message shown on the next page (e.g. "your sign-in expired"). */
    notice: string;
    /** The signed-in user's own flow, secrets redacted, newest last. */
    flow: FlowStep[];
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
