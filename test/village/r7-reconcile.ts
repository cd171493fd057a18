/**
 * The six-week drill's R7 check (RULES.md R7; issue 10): each case's ledger rows against what the
 * device pressed and when — a rating pressed before the deadline is the case's first rating (replacing
 * a default given while it was on the road), one pressed after it is a 追加评价 beside the default,
 * a case never rated has its default once its deadline has passed. Answers the tally by outcome.
 */
import { expect } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { deadlineEnd } from '../../gateway/ratings/case-defaults.js';

/** A rating the device confirmed to the citizen. */
export interface Pressed {
  caseNo: string;
  level: number;
  at: number;
  ratingId: string;
}

export async function reconcileCases(g: Gateway, pressed: readonly Pressed[], now: number) {
  const ledger = await g.store.db
    .selectFrom('assessments')
    .select(['assess_id', 'case_no', 'assess_number', 'level', 'is_default', 'replaces', 'superseded_by'])
    .orderBy('seq')
    .execute();
  const caseRows = await g.store.db.selectFrom('cases').select(['case_no', 'state', 'deadline_date']).execute();
  const tally = {
    'rated in time, no default needed': 0,
    'default replaced by a rating pressed in time': 0,
    'default + 追加评价': 0,
    'default only (never rated)': 0,
    'still open (deadline ahead)': 0,
  };
  for (const c of caseRows) {
    const rows = ledger.filter((a) => a.case_no === c.case_no);
    const def = rows.find((a) => a.is_default === 1);
    const ratings = pressed.filter((p) => p.caseNo === c.case_no);
    const end = deadlineEnd(c.deadline_date!);
    if (ratings.length === 0) {
      if (end <= now) {
        expect(rows, c.case_no).toEqual([expect.objectContaining({ is_default: 1, assess_number: 1, level: 3, superseded_by: null })]);
        tally['default only (never rated)']++;
      } else {
        expect(rows, c.case_no).toEqual([]);
        tally['still open (deadline ahead)']++;
      }
      continue;
    }
    const p = ratings[0]!;
    expect(ratings).toHaveLength(1);
    const mine = rows.find((a) => a.assess_id === p.ratingId)!;
    expect(mine, c.case_no).toMatchObject({ level: p.level });
    if (p.at < end) {
      // Pressed in time: it is the case's first rating, replacing a default given while it was on the road.
      expect(mine.assess_number, c.case_no).toBe(1);
      expect(c.state).toBe('rated');
      if (def) {
        expect(def.superseded_by).toBe(p.ratingId);
        expect(mine.replaces).toBe(def.assess_id);
        tally['default replaced by a rating pressed in time']++;
      } else tally['rated in time, no default needed']++;
    } else {
      expect(def, c.case_no).toMatchObject({ assess_number: 1, superseded_by: null });
      expect(mine).toMatchObject({ assess_number: 2, replaces: null });
      tally['default + 追加评价']++;
    }
  }
  return tally;
}
