// Where recorded steps live besides the session, in this process's memory: API calls made with a
// good token, so such a request (most requests to /resource) never writes the session store; and
// the steps of a browser nobody is signed into (a sign-in's start), so an anonymous /login stores
// only its pending login, until the callback carries them into the signed-in session. /flow
// merges them by time with the steps the session holds.
import { hash } from 'node:crypto';
import type { FlowStep } from '../protocol.ts';

/** How many steps /flow shows: the newest, so a long session does not grow without end. */
export const maxFlowSteps = 50;
/** Sessions whose in-memory steps are kept; the one used longest ago is dropped first. */
const maxSessions = 1000;

export interface FlowHistory {
  /**
   * Keeps steps in memory: API calls with a good token, or any step of a session nobody signed
   * into; the session's newest `maxSteps` (fewer than `maxFlowSteps` for the latter).
   */
  keep(sessionId: string, steps: readonly FlowStep[], maxSteps?: number): void;
  /** Removes and returns a session's in-memory steps (its id ended: a new sign-in, a sign-out). */
  take(sessionId: string): FlowStep[];
  /** A session's stored steps and its in-memory ones, merged by time, the newest `maxFlowSteps`. */
  stepsOf(sessionId: string, stored: readonly FlowStep[]): FlowStep[];
}

/**
 * An in-process history, bounded by sessions (least recently used first out) and by steps per
 * session. It is this process's alone: another instance behind the same load balancer keeps its
 * own, and a restart empties it; the steps in the session are unaffected.
 */
export function createFlowHistory(
  limits = { sessions: maxSessions, steps: maxFlowSteps },
): FlowHistory {
  // Keyed by a hash of the session id: the map never holds an id that could be replayed as a cookie.
  const bySession = new Map<string, FlowStep[]>();
  const keyOf = (sessionId: string) => hash('sha256', sessionId, 'base64url');

  return {
    keep(sessionId, steps, maxSteps = limits.steps) {
      const key = keyOf(sessionId);
      const kept = bySession.get(key) ?? [];
      // Deleted and set again: a Map iterates in insertion order, so the first key is the oldest.
      bySession.delete(key);
      bySession.set(key, kept);
      kept.push(...steps);
      const limit = Math.min(maxSteps, limits.steps);
      if (kept.length > limit) kept.splice(0, kept.length - limit);
      if (bySession.size > limits.sessions) {
        const oldest = bySession.keys().next().value;
        if (oldest !== undefined) bySession.delete(oldest);
      }
    },
    take(sessionId) {
      const key = keyOf(sessionId);
      const kept = bySession.get(key) ?? [];
      bySession.delete(key);
      return kept;
    },
    stepsOf(sessionId, stored) {
      const kept = bySession.get(keyOf(sessionId)) ?? [];
      return mergeByTime(stored, kept).slice(-limits.steps);
    },
  };
}

/** Two lists, each oldest first, as one oldest first; on a tie the stored step comes first. */
export function mergeByTime(a: readonly FlowStep[], b: readonly FlowStep[]): FlowStep[] {
  const merged: FlowStep[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const left = a[i];
    const right = b[j];
    if (right === undefined || (left !== undefined && left.at <= right.at)) {
      if (left !== undefined) merged.push(left);
      i += 1;
    } else {
      merged.push(right);
      j += 1;
    }
  }
  return merged;
}
