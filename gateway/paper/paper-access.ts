/**
 * Who may print and enter paper cards (docs/PAPER.md), decided in the API: the hall's managers for
 * every window, a department head for the windows of their department and those below it
 * (http/scope.ts) — the same scope as the console's other screens. Hall IT, supervisors and
 * auditors neither print nor enter: a card becomes a rating, and ratings are the hall's to answer for.
 */
import type { Role, SessionUser } from '../http/console-auth.js';
import { visibleWindows } from '../http/scope.js';
import type { Db } from '../store/database.js';
import { PaperError } from './paper-error.js';

export const PAPER_ROLES: readonly Role[] = ['manager', 'dept-head'];

export interface WindowFacts {
  window_id: string;
  number: string;
  department: string;
  department_id: string | null;
}

/** The windows `user` may print and enter for; null: all of them. */
export const reachableWindows = (db: Db, user: SessionUser) => visibleWindows(db, user);

/** 403 unless `user` may print or enter cards for `w`. */
export async function mustReach(db: Db, user: SessionUser, w: WindowFacts, what: string): Promise<void> {
  const windows = await reachableWindows(db, user);
  if (windows !== null && !windows.includes(w.window_id)) {
    throw new PaperError('forbidden', `${what} is for window ${w.number} of ${w.department}, outside your department: its department head or a hall manager does this`);
  }
}
