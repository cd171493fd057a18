/**
 * Every 差评 opens exactly one follow-up (RULES.md R12), routed 谁办理、谁负责: to the department of
 * the window it was given at, unless a configured routing rule says otherwise (the rule wins). A
 * 基本满意 or better opens none, and neither does an R7 system default (a 基本满意 the hall gave,
 * not the rater).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import { openHall, type Hall } from './followup-hall.js';

let hall: Hall;

beforeAll(async () => {
  hall = await openHall({
    startAt: '2025-09-26T10:00:00+08:00',
    followup: { routing: { rules: [{ itemCode: 'SB-01', to: 'dept-shb' }] } },
    sections: { cases: { answerWaitMs: 0 } },
  });
});
afterAll(async () => hall?.stop());

const count = async () =>
  Number(
    (
      await hall.gw.store.db
        .selectFrom('followups')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('opening a follow-up', () => {
  it('opens exactly one for a 差评, routed to its window’s department, with a received event', async () => {
    const bad = await hall.rate(2, { phone: '13912345678' });
    const f = await hall.followupOf(bad.id);
    expect(f?.department_id).toBe('dept-scjg');
    // The ledger read again (a restart, a second worker) opens nothing twice.
    await hall.gw.store.db.updateTable('cursors').set({ position: 0 }).where('name', '=', 'followups').execute();
    await hall.settle();
    expect(await count()).toBe(1);

    const list = await hall.as.mgr!.call('GET', '/api/followups?state=open');
    expect(list.status).toBe(200);
    expect(list.body.followups).toHaveLength(1);
    expect(list.body.followups[0]).toMatchObject({
      assessId: bad.id,
      level: 2,
      department: '市场监督管理局',
      step: 'received',
      next: 'assign',
      windowNumber: '01',
      dueDate: '2025-10-10',
    });
    const detail = await hall.as.mgr!.call('GET', `/api/followups/${f!.followup_id}`);
    expect(detail.body.events.map((e: { kind: string }) => e.kind)).toEqual(['received', 'details-received']);
    expect(detail.body.events[0]).toMatchObject({ actor: 'system', data: { routedTo: 'dept-scjg', routedBy: 'window', level: 2 } });
    expect(detail.body.followup.contact).toMatchObject({ state: 'sealed', masked: '***********' });
  });

  it('routes by the configured rule before the window’s department', async () => {
    const bad = await hall.rate(1, { itemCode: 'SB-01' });
    expect((await hall.followupOf(bad.id))?.department_id).toBe('dept-shb');
    const detail = await hall.as.mgr!.call('GET', `/api/followups/${(await hall.followupOf(bad.id))!.followup_id}`);
    expect(detail.body.events[0].data).toMatchObject({ routedTo: 'dept-shb', routedBy: 'rule' });
    expect(await count()).toBe(2);
  });

  it('opens none for 基本满意, 满意 or 非常满意', async () => {
    for (const level of [3, 4, 5] as const) {
      const r = await hall.rate(level);
      expect(await hall.followupOf(r.id)).toBeUndefined();
    }
    expect(await count()).toBe(2);
  });

  it('opens none for an R7 system default', async () => {
    const cases = hall.gw.features.get('cases') as CasesFeature;
    const key = await cases.keys.issue('ywxt');
    const res = await fetch(`${hall.gw.httpUrl}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ caseNo: 'R7-1', windowNumber: '01' }),
    });
    expect(res.status).toBe(200);
    hall.at('2025-10-11T00:00:01+08:00'); // its 5 working days are over
    expect(await cases.scheduler.tick()).toBe(1);
    await hall.settle();
    const d = await hall.gw.store.db.selectFrom('assessments').select(['assess_id', 'level', 'is_default']).where('case_no', '=', 'R7-1').executeTakeFirstOrThrow();
    expect(d).toMatchObject({ level: 3, is_default: 1 });
    expect(await hall.followupOf(d.assess_id)).toBeUndefined();
    expect(await count()).toBe(2);
  });
});
