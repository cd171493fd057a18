/**
 * Deadlines on the official working-day calendar (RULES.md R13), across National Day 2025 (Oct 1–8
 * off; Sun Sep 28 and Sat Oct 11 make-up working days):
 *  - Langfang (the default): 5 working days, +2 working days only with an approver's approval;
 *  - Linzi: 7 natural days for a general problem, 15 for a complex one; Ganzi: 15 working days;
 *  - a reminder before the deadline, and escalation up the department tree after it, moved by the
 *    gateway's fake clock: events, alerts, and the department it went up to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChinaCalendar } from '../../gateway/calendar/working-days.js';
import { FollowupConfigSchema } from '../../gateway/followup/followup-config.js';
import { FollowupDeadlines } from '../../gateway/followup/followup-deadlines.js';
import { openHall, type Hall } from './followup-hall.js';

let hall: Hall;
let id = '';

beforeAll(async () => {
  // A Friday before National Day. Working days after it: Sun 28 (make-up), Mon 29, Tue 30, then
  // Oct 1–8 off, Thu 9, Fri 10 → due at the end of Oct 10.
  hall = await openHall({ startAt: '2025-09-26T10:00:00+08:00' });
  const bad = await hall.rate(2, { phone: '13612345678' });
  id = (await hall.followupOf(bad.id))!.followup_id;
});
afterAll(async () => hall?.stop());

const step = (who: string, path: string, body: unknown) => hall.as[who]!.call('POST', `/api/followups/${id}/${path}`, body);
const view = async () => (await hall.as.mgr!.call('GET', `/api/followups/${id}`)).body;
const alerts = async () => hall.gw.store.db.selectFrom('alerts').selectAll().where('subject', '=', `followup:${id}`).execute();

describe('deadlines, extension, reminder and escalation (Langfang profile)', () => {
  it('is due 5 working days after it was received, across the holiday', async () => {
    expect((await view()).followup).toMatchObject({ dueDate: '2025-10-10', dueAt: '2025-10-10T16:00:00.000Z', overdue: false });
    expect((await step('head-scjg', 'assign', { handler: 'head-scjg' })).status).toBe(200);
    expect((await step('head-scjg', 'verify', { finding: 'true', raterReached: true, note: '属实' })).status).toBe(200);
    expect((await step('head-scjg', 'resolve', { resolution: 'deadline', category: 'complex', note: '需协调系统改造' })).body).toMatchObject({ dueDate: '2025-10-10' });
  });

  it('extends by 2 working days only when an approver approves', async () => {
    const tooMany = await step('head-scjg', 'extensions', { days: 3, reason: '系统改造需要更多时间' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/at most 2 working days/);
    expect((await step('head-scjg', 'extensions', { days: 2, reason: '系统改造需要更多时间' })).body).toMatchObject({
      dueDate: '2025-10-10',
      pendingExtension: { days: 2, requestedBy: 'head-scjg' },
    });
    // Not approved by who asked, nor by a role that is not an approver (a supervisor, another bureau's head).
    expect((await step('head-scjg', 'extension-decision', { approve: true, note: '同意' })).status).toBe(403);
    expect((await step('head-bdc', 'extension-decision', { approve: true, note: '同意' })).status).toBe(403);
    expect((await step('sup', 'extension-decision', { approve: true, note: '同意' })).status).toBe(403);
    expect((await view()).followup.dueDate).toBe('2025-10-10');
    // A manager approves: Oct 10 + 2 working days = Sat Oct 11 (make-up) and Mon Oct 13.
    expect((await step('mgr', 'extension-decision', { approve: true, note: '同意延期' })).body).toMatchObject({ dueDate: '2025-10-13', extendedDays: 2, pendingExtension: null });
    const again = await step('head-scjg', 'extensions', { days: 1, reason: '还需一天' });
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/2 granted already/);
    const audit = (await hall.as.aud!.call('GET', '/api/audit?limit=50')).body;
    const actions = JSON.stringify(audit);
    expect(actions).toMatch(/followup-extension-requested/);
    expect(actions).toMatch(/followup-extension-approved/);
  });

  it('reminds before the deadline and escalates up the tree after it, on the gateway clock', async () => {
    const feature = hall.feature();
    hall.at('2025-10-12T12:00:00+08:00'); // more than a day before the end of Oct 13
    expect(await feature.scheduler.tick()).toMatchObject({ reminded: 0, escalated: 0 });
    hall.at('2025-10-13T09:00:00+08:00');
    expect(await feature.scheduler.tick()).toMatchObject({ reminded: 1, escalated: 0 });
    expect(await feature.scheduler.tick()).toMatchObject({ reminded: 0 });
    expect((await alerts()).map((a) => a.kind)).toEqual(['followup-due-soon']);
    expect((await view()).followup).toMatchObject({ dueSoon: true, overdue: false, escalationLevel: 0 });
    const headList = (await hall.as['head-scjg']!.call('GET', '/api/followups?dueSoon=true')).body.followups;
    expect(headList.map((f: { followupId: string }) => f.followupId)).toEqual([id]);

    hall.at('2025-10-13T23:59:59+08:00');
    expect(await feature.scheduler.tick()).toMatchObject({ escalated: 0 });
    hall.at('2025-10-14T00:00:01+08:00');
    expect(await feature.scheduler.tick()).toMatchObject({ escalated: 1 });
    const late = await view();
    expect(late.followup).toMatchObject({ overdue: true, escalationLevel: 1, escalatedTo: { departmentId: 'dept-center', department: '政务服务中心' } });
    expect(late.events.filter((e: { kind: string }) => e.kind === 'escalated')).toEqual([
      expect.objectContaining({ actor: 'system', data: expect.objectContaining({ level: 1, to: 'dept-center' }) }),
    ]);
    const board = await alerts();
    expect(board.find((a) => a.kind === 'followup-overdue')?.detail).toMatch(/escalated \(level 1\) to 政务服务中心/);
    expect(board.find((a) => a.kind === 'followup-due-soon')?.cleared_at).not.toBeNull();
    const summary = (await hall.as.mgr!.call('GET', '/api/followups/summary')).body;
    expect(summary.totals).toMatchObject({ open: 1, overdue: 1, escalated: 1 });

    // One working day later it goes up again: past the top of the tree, to the hall's managers.
    hall.at('2025-10-15T00:00:01+08:00');
    expect(await feature.scheduler.tick()).toMatchObject({ escalated: 1 });
    expect((await view()).followup).toMatchObject({ escalationLevel: 2, escalatedTo: { departmentId: null } });

    // The rectification recorded: the alerts are cleared, nothing escalates further.
    expect((await step('head-scjg', 'rectify', { note: '系统已改造' })).body).toMatchObject({ overdue: false });
    expect((await alerts()).every((a) => a.cleared_at !== null)).toBe(true);
    hall.at('2025-10-20T00:00:01+08:00');
    expect(await feature.scheduler.tick()).toMatchObject({ escalated: 0, reminded: 0 });
  });
});

describe('the other regional profiles', () => {
  const calendar = createChinaCalendar({});
  const deadlinesOf = (followup: unknown) => {
    const c = FollowupConfigSchema.parse(followup);
    return new FollowupDeadlines(calendar, c.deadlines, c.escalation.everyWorkingDays);
  };
  const friday = '2025-09-26T02:00:00.000Z';

  it('Linzi: 7 natural days for a general problem, 15 for a complex one, no extension', () => {
    const linzi = deadlinesOf({ profile: 'linzi' });
    expect(linzi.onOpening(friday)).toBe('2025-10-11');
    expect(linzi.forCategory(friday, 'general')).toBe('2025-10-03');
    expect(linzi.forCategory(friday, 'complex')).toBe('2025-10-11');
    expect(linzi.profile.extension.maxDays).toBe(0);
  });

  it('Ganzi: 15 working days', () => {
    expect(deadlinesOf({ profile: 'ganzi' }).onOpening(friday)).toBe('2025-10-23');
  });

  it('Langfang by default; a custom profile must give every deadline', () => {
    expect(deadlinesOf(undefined).onOpening(friday)).toBe('2025-10-10');
    expect(FollowupConfigSchema.safeParse({ profile: 'custom', deadlines: { complex: { days: 3, unit: 'working' } } }).success).toBe(false);
  });
});
