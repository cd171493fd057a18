/**
 * Where a follow-up stands and what must come next (RULES.md "The 差评 follow-up"):
 *
 *   received ──assign──▶ verifying ──verify──▶ rectifying ──resolve, rectify──▶ (rectified) ──reply──▶ replied
 *     ──call-back──▶ called-back ──close──▶ closed;  a 差评-level 再评价 at the call-back ▶ rectifying again
 *
 * `step` is the lead's column (received | verifying | rectifying | replied | called-back | closed);
 * inside `rectifying`, the resolution and `rectified_at` say whether resolving or rectifying is due.
 * A step asked for out of turn is refused with a 409 that says what must come first.
 */
import type { Selectable } from 'kysely';
import type { FollowupsTable } from '../store/tables.js';
import { FollowupError } from './followup-error.js';

export type Followup = Selectable<FollowupsTable>;

export const ACTIONS = ['assign', 'verify', 'resolve', 'rectify', 'reply', 'call-back', 'close'] as const;
export type Action = (typeof ACTIONS)[number];

const HOW: Record<Action, string> = {
  assign: 'assign a handler (POST /api/followups/{id}/assign)',
  verify: 'verify: call the rater and record the finding (POST /api/followups/{id}/verify)',
  resolve: 'decide how it is settled — 立行立改, 限期整改 or 解释说明 (POST /api/followups/{id}/resolve)',
  rectify: 'record the rectification, or the explanation (POST /api/followups/{id}/rectify)',
  reply: 'reply to the rater (反馈, POST /api/followups/{id}/reply)',
  'call-back': 'call the rater back (回访, POST /api/followups/{id}/call-back)',
  close: 'close it (办结, POST /api/followups/{id}/close)',
};

/** What must happen next, or null once closed. */
export function nextAction(f: Pick<Followup, 'state' | 'step' | 'resolution' | 'rectified_at'>): Action | null {
  if (f.state === 'closed') return null;
  switch (f.step) {
    case 'received':
      return 'assign';
    case 'verifying':
      return 'verify';
    case 'rectifying':
      return f.resolution === null ? 'resolve' : f.rectified_at === null ? 'rectify' : 'reply';
    case 'replied':
      return 'call-back';
    default:
      return 'close';
  }
}

/** Refuse `action` unless it is (one of) what comes next; the message says what must come first. */
export function mustBeNext(f: Followup, action: Action, alsoWhen: Action[] = []): void {
  const next = nextAction(f);
  if (next === null) throw new FollowupError('closed', `follow-up ${f.followup_id} is closed (办结, ${f.closed_at}): nothing more is done to it`);
  if (next === action || alsoWhen.includes(next)) return;
  const done = ACTIONS.indexOf(action) < ACTIONS.indexOf(next);
  throw new FollowupError('out-of-order', done ? `${action} is done already; next: ${HOW[next]}` : `${action} cannot come yet: first ${HOW[next]}`);
}
