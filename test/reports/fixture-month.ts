/**
 * The reports' fixture month, November 2026, written into a real gateway's SQLite store: two
 * departments, one window, staff member and service item each, 16 ratings of the month plus one
 * superseded default and one rating either side of the month, their cases, follow-ups and one
 * write-off. report-golden.test.ts works every measure out by hand from the table below.
 *
 *   id   dept ch             lvl default case   notes
 *   r1   A    device-touch    5   -      C1     flags []
 *   r2   A    device-touch    5   -      C2     flags []
 *   r3   A    qr-window       4   -      -      (no case)
 *   r4   A    default         3   yes    C3     R7 default, case defaulted
 *   r5   A    device-touch    2   -      C4     reasons [214] 服务态度生硬 → attitude; follow-up complete, re-rated 4
 *   r6   A    paper-card      2   -      C5     reasons [209] → efficiency; replied late, re-rating declined
 *   r7   A    device-button   2   -      -      no reasons; follow-up untouched (written off later by the tests)
 *   r8   A    device-touch    1   -      C6     reasons [115] → attitude+efficiency; WRITTEN OFF (malicious) before the report
 *   r9   A    default         3   yes    C7     superseded by r10: no rating at all
 *   r10  A    device-touch    5   -      C7     replaced the default in time
 *   r11  A    device-touch    4   -      C8     case C8 withdrawn by the business system
 *   r12  A    device-touch    4   -      C1     追加评价 (assess_number 2)
 *   b1   B    qr-case         5   -      D1     reasons [517] → attitude+efficiency
 *   b2   B    device-touch    2   -      D2     reasons [213, 999] → quality+unclassified; follow-up complete, re-rated 2
 *   b3   B    default         3   yes    D3     R7 default
 *   b4   B    device-touch    4   -      D4     flags ["fast-press"]
 *   b7   B    device-touch    1   -      -      no reasons; replied only after the cut-off
 *   b5   B    device-touch    2   -      -      2026-10-31: not in November
 *   b6   B    device-touch    5   -      -      pressed 2026-11-30T17:00Z = 2026-12-01 in China: not in November
 */
import type { Db } from '../../gateway/store/database.js';

export const CREATED = '2026-10-01T00:00:00.000Z';
/** The schedule's moment for November (reports.schedule day 3, 06:00 China time): the cut-off of v1. */
export const NOVEMBER_DUE = Date.parse('2026-12-03T06:00:00+08:00');

interface R {
  id: string;
  d: 'A' | 'B';
  ch: string;
  lvl: number;
  def?: boolean;
  kase?: string;
  an?: number;
  at?: string;
  reasons?: number[];
  flags?: string | null;
  sup?: string;
}

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T02:00:00.000Z`;
const RATINGS: R[] = [
  { id: 'r1', d: 'A', ch: 'device-touch', lvl: 5, kase: 'C1', flags: '[]' },
  { id: 'r2', d: 'A', ch: 'device-touch', lvl: 5, kase: 'C2', flags: '[]' },
  { id: 'r3', d: 'A', ch: 'qr-window', lvl: 4 },
  { id: 'r4', d: 'A', ch: 'default', lvl: 3, def: true, kase: 'C3' },
  { id: 'r5', d: 'A', ch: 'device-touch', lvl: 2, kase: 'C4', reasons: [214], flags: '[]' },
  { id: 'r6', d: 'A', ch: 'paper-card', lvl: 2, kase: 'C5', reasons: [209] },
  { id: 'r7', d: 'A', ch: 'device-button', lvl: 2, flags: '[]' },
  { id: 'r8', d: 'A', ch: 'device-touch', lvl: 1, kase: 'C6', reasons: [115], flags: '[]' },
  { id: 'r9', d: 'A', ch: 'default', lvl: 3, def: true, kase: 'C7', sup: 'r10' },
  { id: 'r10', d: 'A', ch: 'device-touch', lvl: 5, kase: 'C7', flags: '[]' },
  { id: 'r11', d: 'A', ch: 'device-touch', lvl: 4, kase: 'C8', flags: '[]' },
  { id: 'r12', d: 'A', ch: 'device-touch', lvl: 4, kase: 'C1', an: 2, flags: '[]' },
  { id: 'b1', d: 'B', ch: 'qr-case', lvl: 5, kase: 'D1', reasons: [517] },
  { id: 'b2', d: 'B', ch: 'device-touch', lvl: 2, kase: 'D2', reasons: [213, 999], flags: '[]' },
  { id: 'b3', d: 'B', ch: 'default', lvl: 3, def: true, kase: 'D3' },
  { id: 'b4', d: 'B', ch: 'device-touch', lvl: 4, kase: 'D4', flags: '["fast-press"]' },
  { id: 'b7', d: 'B', ch: 'device-touch', lvl: 1, flags: '[]' },
  { id: 'b5', d: 'B', ch: 'device-touch', lvl: 2, at: '2026-10-31T03:00:00.000Z', flags: '[]' },
  { id: 'b6', d: 'B', ch: 'device-touch', lvl: 5, at: '2026-11-30T17:00:00.000Z', flags: '[]' },
];

const UNIT = {
  A: { department_id: 'd-a', department: '行政审批局', window_id: 'w-a1', window_number: 'A1', staff_id: 's-a1', item_code: 'IA', item_name: '营业执照办理' },
  B: { department_id: 'd-b', department: '公积金中心', window_id: 'w-b1', window_number: 'B1', staff_id: 's-b1', item_code: 'IB', item_name: '发票申领' },
} as const;

const chinaDateOf = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

/** Write the fixture (registry, ratings, change log, cases, follow-ups, the early write-off). */
export async function seedFixtureMonth(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('departments')
      .values([
        { department_id: 'd-a', name: '行政审批局', parent_id: null, created_at: CREATED },
        { department_id: 'd-b', name: '公积金中心', parent_id: null, created_at: CREATED },
      ])
      .execute();
    for (const u of Object.values(UNIT)) {
      await trx
        .insertInto('windows')
        .values({ window_id: u.window_id, number: u.window_number, department: u.department, department_id: u.department_id, created_at: CREATED })
        .execute();
      await trx
        .insertInto('staff')
        .values({
          staff_id: u.staff_id,
          staff_no: u.staff_id === 's-a1' ? 'G001' : 'G002',
          name: u.staff_id === 's-a1' ? '张敏' : '李强',
          post: '综合受理',
          title: '科员',
          window_id: u.window_id,
          badge_uids: '[]',
          photo: null,
        })
        .execute();
      await trx.insertInto('service_items').values({ item_code: u.item_code, name: u.item_name, department_id: u.department_id, created_at: CREATED }).execute();
    }
    for (const [i, r] of RATINGS.entries()) {
      const at = r.at ?? day(1 + i);
      const u = UNIT[r.d];
      await trx
        .insertInto('assessments')
        .values({
          assess_id: r.id,
          source: r.def ? 'default' : r.ch.startsWith('device') ? 'device' : 'channel',
          channel: r.ch,
          record_id: r.ch.startsWith('device') ? r.id : null,
          device_id: r.ch.startsWith('device') ? `dev-${u.window_id}` : null,
          case_no: r.kase ?? null,
          assess_number: r.an ?? 1,
          level: r.lvl,
          pressed_at: at,
          china_date: chinaDateOf(at),
          clock_flag: null,
          ...u,
          catalogue_version: r.def ? null : '2020.1',
          is_default: r.def ? 1 : 0,
          replaces: r.id === 'r10' ? 'r9' : null,
          superseded_by: r.sup ?? null,
          reasons: r.reasons ? JSON.stringify(r.reasons) : null,
          comment: null,
          contact_record_id: null,
          details_at: r.reasons ? at : null,
          flags: r.flags ?? null,
          created_at: at,
        })
        .execute();
      await trx.insertInto('assessment_log').values({ assess_id: r.id, change: 'created', at }).execute();
    }
    const kase = (no: string, d: 'A' | 'B', state: string, first: string) =>
      trx
        .insertInto('cases')
        .values({
          case_no: no,
          business_system: 'ywxt',
          window_id: UNIT[d].window_id,
          window_number: UNIT[d].window_number,
          device_id: null,
          item_code: UNIT[d].item_code,
          item_name: UNIT[d].item_name,
          staff_id: UNIT[d].staff_id,
          state,
          created_at: CREATED,
          deadline_date: null,
          first_assess_id: first,
          rated_at: null,
          defaulted_at: null,
          withdrawn_at: state === 'withdrawn' ? day(20) : null,
          withdraw_reason: state === 'withdrawn' ? '业务撤回' : null,
          contact_enc: null,
        })
        .execute();
    for (const [no, d, state, first] of [
      ['C1', 'A', 'rated', 'r1'],
      ['C2', 'A', 'rated', 'r2'],
      ['C3', 'A', 'defaulted', 'r4'],
      ['C4', 'A', 'rated', 'r5'],
      ['C5', 'A', 'rated', 'r6'],
      ['C6', 'A', 'rated', 'r8'],
      ['C7', 'A', 'rated', 'r10'],
      ['C8', 'A', 'withdrawn', 'r11'],
      ['D1', 'B', 'rated', 'b1'],
      ['D2', 'B', 'rated', 'b2'],
      ['D3', 'B', 'defaulted', 'b3'],
      ['D4', 'B', 'rated', 'b4'],
    ] as const)
      await kase(no, d, state, first);

    const followup = (
      id: string,
      d: 'A' | 'B',
      f: Partial<Record<'due_at' | 'replied_at' | 'rectified_at' | 'called_back_at' | 'rerated_at', string>> & {
        rerating_level?: number;
        rerating_declined?: number;
        root_cause?: 'staff' | 'process' | 'system' | 'policy';
        closed?: boolean;
      },
    ) =>
      trx
        .insertInto('followups')
        .values({
          followup_id: `f-${id}`,
          assess_id: id,
          department_id: UNIT[d].department_id,
          window_id: UNIT[d].window_id,
          staff_id: UNIT[d].staff_id,
          opened_at: CREATED,
          state: f.closed ? 'closed' : 'open',
          step: f.closed ? 'closed' : 'received',
          handler: 'handler',
          finding: null,
          resolution: f.rectified_at ? 'deadline' : null,
          due_date: f.due_at ? chinaDateOf(f.due_at) : null,
          due_at: f.due_at ?? null,
          rectified_at: f.rectified_at ?? null,
          replied_at: f.replied_at ?? null,
          called_back_at: f.called_back_at ?? null,
          rerating_level: f.rerating_level ?? null,
          rerated_at: f.rerated_at ?? null,
          rerating_declined: f.rerating_declined ?? 0,
          root_cause: f.root_cause ?? null,
          action_taken: f.rectified_at ? '已整改' : null,
          closed_at: f.closed ? f.called_back_at! : null,
          contact_purged_at: null,
          reminded_due_at: null,
        })
        .execute();
    await followup('r5', 'A', {
      due_at: '2026-11-12T15:59:59.999Z',
      rectified_at: '2026-11-10T03:00:00.000Z',
      replied_at: '2026-11-11T03:00:00.000Z',
      called_back_at: '2026-11-13T03:00:00.000Z',
      rerating_level: 4,
      rerated_at: '2026-11-13T03:00:00.000Z',
      root_cause: 'staff',
      closed: true,
    });
    await followup('r6', 'A', {
      due_at: '2026-11-12T15:59:59.999Z',
      rectified_at: '2026-11-13T03:00:00.000Z',
      replied_at: '2026-11-14T03:00:00.000Z',
      called_back_at: '2026-11-15T03:00:00.000Z',
      rerating_declined: 1,
      root_cause: 'process',
      closed: true,
    });
    await followup('r7', 'A', { due_at: '2026-11-20T15:59:59.999Z' });
    await followup('r8', 'A', { due_at: '2026-11-20T15:59:59.999Z' });
    await followup('b2', 'B', {
      due_at: '2026-11-20T15:59:59.999Z',
      rectified_at: '2026-11-17T03:00:00.000Z',
      replied_at: '2026-11-18T03:00:00.000Z',
      called_back_at: '2026-11-19T03:00:00.000Z',
      rerating_level: 2,
      rerated_at: '2026-11-19T03:00:00.000Z',
      root_cause: 'system',
      closed: true,
    });
    // Replied after the cut-off (2026-12-02T22:00Z): not replied as the report reads it.
    await followup('b7', 'B', { due_at: '2026-11-28T15:59:59.999Z', replied_at: '2026-12-04T00:00:00.000Z' });
    await trx
      .insertInto('appeals')
      .values({
        appeal_id: 'ap-r8',
        assess_id: 'r8',
        followup_id: 'f-r8',
        appellant: 'head-a',
        filed_at: '2026-11-21T02:00:00.000Z',
        grounds: '同一人多次恶意差评',
        evidence: null,
        state: 'approved',
        decided_by: 'sup',
        decided_at: '2026-11-22T02:00:00.000Z',
        decision_note: '属实',
      })
      .execute();
    await trx
      .insertInto('write_offs')
      .values({ assess_id: 'r8', appeal_id: 'ap-r8', kind: 'malicious', approved_by: 'sup', approved_at: '2026-11-22T02:00:00.000Z', reason: '经核实为恶意差评' })
      .execute();
  });
}

/** Write off r7 (an appeal approved after the report was published), as the follow-up feature records it. */
export async function writeOffLate(db: Db, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('appeals')
      .values({
        appeal_id: 'ap-r7',
        assess_id: 'r7',
        followup_id: 'f-r7',
        appellant: 'head-a',
        filed_at: at,
        grounds: '误按',
        evidence: null,
        state: 'approved',
        decided_by: 'sup',
        decided_at: at,
        decision_note: '属实',
      })
      .execute();
    await trx
      .insertInto('write_offs')
      .values({ assess_id: 'r7', appeal_id: 'ap-r7', kind: 'mistaken', approved_by: 'sup', approved_at: at, reason: '经核实为误评：评价人误按' })
      .execute();
  });
}
