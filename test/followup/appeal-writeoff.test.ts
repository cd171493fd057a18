/**
 * 申诉 → 核销 (RULES.md R14): the rated unit appeals a 差评 with grounds; the supervising role
 * refuses (nothing changes) or approves it as 误评 / 恶意差评 — then the rating stays stored and
 * listed, shows its write-off record, and leaves the live figures of the day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHall, type Hall } from './followup-hall.js';

let hall: Hall;
let id = '';
let assessId = '';

beforeAll(async () => {
  hall = await openHall({ startAt: '2025-11-10T10:00:00+08:00' });
  const bad = await hall.rate(1, { reasons: [115] });
  await hall.rate(5);
  assessId = bad.id;
  id = (await hall.followupOf(bad.id))!.followup_id;
});
afterAll(async () => hall?.stop());

const summary = async () => (await hall.as.mgr!.call('GET', '/api/live/summary?date=2025-11-10')).body;
const view = async () => (await hall.as.sup!.call('GET', `/api/followups/${id}`)).body;
const appeal = (grounds: string) => hall.as['head-scjg']!.call('POST', `/api/followups/${id}/appeals`, { grounds });
const decide = (who: string, appealId: string, body: unknown) => hall.as[who]!.call('POST', `/api/appeals/${appealId}/decision`, body);

describe('appeal and write-off', () => {
  it('counts the 差评 in the live figures before any appeal', async () => {
    expect((await summary()).totals).toMatchObject({ count: 2, bad: 1, levels: { 1: 1, 5: 1 }, goodRate: 0.5 });
  });

  it('a refused appeal changes nothing', async () => {
    const filed = await appeal('评价人误按，当场已表示满意');
    expect(filed.status).toBe(200);
    expect((await appeal('再次申诉')).status).toBe(409); // one waits at a time
    expect((await view()).followup.pendingAppeal).toBe(true);
    // The rated unit and the handler's manager are not the write-off approver; the supervisor is.
    expect((await decide('head-scjg', filed.body.appealId, { approve: true, kind: 'mistaken', reason: '同意' })).status).toBe(403);
    expect((await decide('mgr', filed.body.appealId, { approve: true, kind: 'mistaken', reason: '同意' })).status).toBe(403);
    const refused = await decide('sup', filed.body.appealId, { approve: false, reason: '证据不足，维持差评' });
    expect(refused.body).toMatchObject({ appealId: filed.body.appealId, state: 'refused', decidedBy: 'sup', decisionNote: '证据不足，维持差评' });
    expect((await view()).followup).toMatchObject({ writeOff: null, pendingAppeal: false, state: 'open' });
    expect((await summary()).totals).toMatchObject({ count: 2, bad: 1 });
    expect(await hall.gw.store.db.selectFrom('write_offs').selectAll().execute()).toEqual([]);
  });

  it('an approved appeal writes the rating off: still stored and shown, out of the figures', async () => {
    const filed = await appeal('监控录像显示评价人与窗口无业务往来，系恶意差评');
    const approved = await decide('sup', filed.body.appealId, { approve: true, kind: 'malicious', reason: '经核实为恶意差评，予以核销' });
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'sup' });
    const after = await view();
    expect(after.followup.writeOff).toEqual({
      appealId: filed.body.appealId,
      kind: 'malicious',
      approvedBy: 'sup',
      approvedAt: '2025-11-10T02:00:00.000Z',
      reason: '经核实为恶意差评，予以核销',
    });
    expect(after.events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['appeal-filed', 'appeal-refused', 'written-off']));
    // Out of the day's figures, and out of the counts per window …
    expect((await summary()).totals).toMatchObject({ count: 1, bad: 0, levels: { 1: 0, 5: 1 }, goodRate: 1 });
    const counts = Object.values((await hall.as.mgr!.call('GET', '/api/counts')).body as Record<string, Record<string, number>>);
    expect(counts).toEqual([expect.objectContaining({ 1: 0, 5: 1, total: 1 })]);
    // … but still stored and listed.
    const ratings = (await hall.as.mgr!.call('GET', '/api/ratings')).body as Array<{ id: string; level: number }>;
    expect(ratings.find((r) => r.id === assessId)).toMatchObject({ level: 1 });
    expect(await hall.gw.store.db.selectFrom('assessments').select('level').where('assess_id', '=', assessId).executeTakeFirst()).toEqual({ level: 1 });
    // Not appealed again; the write-off cannot be edited or removed.
    expect((await appeal('再来一次')).status).toBe(409);
    await expect(hall.gw.store.db.deleteFrom('write_offs').execute()).rejects.toThrow();
    const audit = JSON.stringify((await hall.as.aud!.call('GET', '/api/audit?limit=200')).body);
    expect(audit).toMatch(/write-off-approved/);
    expect(audit).toMatch(/appeal-refused/);
  });

  it('an approved write-off ends the follow-up: nothing left to do, nothing escalates', async () => {
    const f = (await view()).followup;
    expect(f).toMatchObject({ state: 'closed', step: 'closed', next: null, closedAt: '2025-11-10T02:00:00.000Z', rootCause: null });
    expect((await hall.as.mgr!.call('POST', `/api/followups/${id}/assign`, { handler: 'head-scjg' })).status).toBe(409);
    // Weeks later the scheduler neither reminds nor escalates it, and no alert names it.
    hall.at('2025-12-10T10:00:00+08:00');
    expect(await hall.feature().scheduler.tick()).toMatchObject({ reminded: 0, escalated: 0 });
    expect((await view()).followup).toMatchObject({ state: 'closed', escalationLevel: 0, overdue: false });
    const summary = (await hall.as.mgr!.call('GET', '/api/followups/summary')).body;
    expect(summary.totals).toMatchObject({ open: 0, unassigned: 0, overdue: 0, escalated: 0 });
    expect(JSON.stringify((await hall.as.mgr!.call('GET', '/api/alerts')).body)).not.toContain(id);
  });
});
