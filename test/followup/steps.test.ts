/**
 * The steps of a follow-up through the API, in order (RULES.md "The 差评 follow-up"): 受理 (assign)
 * → 核实 (finding) → 立行立改 / 限期整改 / 解释说明 → rectified → 反馈 → 回访 with the rater's 再评价
 * → 办结 with a root cause and the action taken. Each step is an append-only event with who, when,
 * the note and its files; a step out of turn is refused with a message saying what comes first;
 * a bad 再评价 reopens. Who: the assigned handler does the steps; a department head cannot see
 * another department's follow-ups; a supervisor reads but cannot act.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHall, type Hall } from './followup-hall.js';

let hall: Hall;
let id = '';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  hall = await openHall({ startAt: '2025-11-03T09:30:00+08:00' });
  const bad = await hall.rate(1, { phone: '13712345678' });
  id = (await hall.followupOf(bad.id))!.followup_id;
});
afterAll(async () => hall?.stop());

const step = (who: string, path: string, body: unknown) => hall.as[who]!.call('POST', `/api/followups/${id}/${path}`, body);

describe('the steps of a follow-up', () => {
  it('keeps other departments and the supervisor out', async () => {
    expect((await hall.as['head-bdc']!.call('GET', `/api/followups/${id}`)).status).toBe(404);
    expect((await hall.as['head-bdc']!.call('GET', '/api/followups')).body.followups).toEqual([]);
    expect((await step('head-bdc', 'assign', { handler: 'head-bdc' })).status).toBe(404);
    expect((await hall.as.sup!.call('GET', `/api/followups/${id}`)).status).toBe(200);
    expect((await step('sup', 'assign', { handler: 'head-scjg' })).status).toBe(403);
    expect((await hall.as.aud!.call('GET', `/api/followups/${id}`)).status).toBe(403);
    // A handler must be able to see it: the other bureau's head is refused as handler.
    const wrong = await step('mgr', 'assign', { handler: 'head-bdc' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/heads another department/);
  });

  it('refuses a step out of turn, saying what must come first', async () => {
    const early = await step('mgr', 'verify', { finding: 'true', raterReached: true, note: '已核实' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'out-of-order' });
    expect(early.body.message).toMatch(/verify cannot come yet: first assign a handler/);
    expect((await step('head-scjg', 'assign', { handler: 'head-scjg', note: '受理' })).body).toMatchObject({ step: 'verifying', handler: 'head-scjg', next: 'verify' });
    const skip = await step('head-scjg', 'reply', { method: 'phone', note: '已回复' });
    expect(skip.status).toBe(409);
    expect(skip.body.message).toMatch(/reply cannot come yet: first verify/);
    // Only the handler does the steps, even a manager may not.
    expect((await step('mgr', 'verify', { finding: 'true', raterReached: true, note: '已核实' })).status).toBe(403);
    // A phone number typed into a note is refused: the number stays sealed.
    const leak = await step('head-scjg', 'verify', { finding: 'true', raterReached: true, note: '已致电 137-1234-5678' });
    expect(leak.status).toBe(400);
    expect(leak.body.message).toMatch(/must not hold a phone number/);
  });

  it('walks 核实 → 立行立改 → 反馈 → 回访 → a bad 再评价 reopens → 限期整改 → 办结', async () => {
    const upload = await fetch(`${hall.gw.httpUrl}/api/followups/${id}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hall.as['head-scjg']!.token}`, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(upload.status).toBe(200);
    const file = (await upload.json()) as { sha256: string; type: string };
    expect(file.type).toBe('image/png');

    hall.at('2025-11-03T14:00:00+08:00');
    expect(
      (
        await step('head-scjg', 'verify', {
          finding: 'partly',
          raterReached: true,
          note: '电话联系，窗口确有等候过久',
          attachments: [{ sha256: file.sha256, name: '排队截图.png' }],
        })
      ).body,
    ).toMatchObject({ finding: 'partly', step: 'rectifying', next: 'resolve' });
    const immediate = await step('head-scjg', 'resolve', { resolution: 'immediate', note: '当日增开窗口' });
    expect(immediate.body).toMatchObject({ resolution: 'immediate', dueDate: '2025-11-04', next: 'rectify' });
    expect((await step('head-scjg', 'rectify', { note: '已增开 03 号窗口' })).body.next).toBe('reply');
    // Closing before the reply and the call-back is refused.
    const soon = await step('head-scjg', 'close', { rootCause: 'process', actionTaken: '增开窗口' });
    expect(soon.status).toBe(409);
    expect(soon.body.message).toMatch(/first reply to the rater/);
    expect((await step('head-scjg', 'reply', { method: 'phone', note: '已电话告知整改情况' })).body).toMatchObject({ step: 'replied', next: 'call-back' });
    // 回访: the rater is still not satisfied (再评价 2): the follow-up is open again, to be decided anew.
    hall.at('2025-11-05T10:00:00+08:00');
    const reopened = await step('head-scjg', 'call-back', { outcome: 'rerated', rerating: 2, note: '群众仍不满意' });
    expect(reopened.body).toMatchObject({ step: 'rectifying', next: 'resolve', reopenedCount: 1, rerating: 2, resolution: null, rectifiedAt: null, dueDate: '2025-11-12' });

    expect((await step('head-scjg', 'resolve', { resolution: 'deadline', note: '调整排班' })).body).toMatchObject({ resolution: 'deadline', dueDate: '2025-11-12' });
    expect((await step('head-scjg', 'rectify', { note: '排班已调整' })).status).toBe(200);
    expect((await step('head-scjg', 'reply', { method: 'sms', note: '短信告知' })).status).toBe(200);
    expect((await step('head-scjg', 'call-back', { outcome: 'rerated', rerating: 4, note: '满意' })).body).toMatchObject({ step: 'called-back', next: 'close', rerating: 4 });

    // 办结 needs the root cause and the action taken.
    const noCause = await step('head-scjg', 'close', { actionTaken: '调整排班' });
    expect(noCause.status).toBe(400);
    expect(noCause.body.message).toMatch(/rootCause/);
    const noAction = await step('head-scjg', 'close', { rootCause: 'process' });
    expect(noAction.status).toBe(400);
    expect(noAction.body.message).toMatch(/actionTaken/);
    hall.at('2025-11-06T16:00:00+08:00');
    const closed = await step('head-scjg', 'close', { rootCause: 'process', actionTaken: '高峰时段增开窗口，调整排班' });
    expect(closed.body).toMatchObject({ state: 'closed', step: 'closed', rootCause: 'process', closedAt: '2025-11-06T08:00:00.000Z', next: null });
    expect((await step('head-scjg', 'note', { note: '补充' })).status).toBe(200);
    expect((await step('head-scjg', 'verify', { finding: 'true', raterReached: true, note: 'x' })).body.error).toBe('closed');

    const detail = (await hall.as.sup!.call('GET', `/api/followups/${id}`)).body;
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual([
      'received',
      'details-received',
      'assigned',
      'verified',
      'resolved',
      'rectified',
      'replied',
      'called-back',
      'reopened',
      'resolved',
      'rectified',
      'replied',
      'called-back',
      'closed',
      'note',
    ]);
    const verified = detail.events.find((e: { kind: string }) => e.kind === 'verified');
    expect(verified).toMatchObject({ actor: 'head-scjg', at: '2025-11-03T06:00:00.000Z', note: '电话联系，窗口确有等候过久', data: { finding: 'partly' } });
    expect(verified.attachments).toEqual([{ name: '排队截图.png', type: 'image/png', sha256: file.sha256, size: PNG.length }]);
    const got = await fetch(`${hall.gw.httpUrl}/api/followups/${id}/attachments/${file.sha256}`, { headers: { authorization: `Bearer ${hall.as.sup!.token}` } });
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);

    // Append-only: the database itself refuses to change or delete an event.
    await expect(hall.gw.store.db.updateTable('followup_events').set({ note: 'changed' }).where('followup_id', '=', id).execute()).rejects.toThrow();
    await expect(hall.gw.store.db.deleteFrom('followup_events').where('followup_id', '=', id).execute()).rejects.toThrow();
  });
});
