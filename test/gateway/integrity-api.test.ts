/**
 * Issue 11, integrity (R11): the console's report of integrity flags per window and per staff,
 * and the ratings behind a flag — through the real path (signed ratings over MQTT, ingest, the
 * assessor), scoped for a department head, validated field by field, and never saying who rated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDate } from '../../gateway/calendar/working-days.js';
import type { Gateway } from '../../gateway/gateway.js';
import { integrityTalliesQuery } from '../../gateway/ratings/integrity-report.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
const tokens: Record<string, string> = {};
const today = chinaDate(new Date());
const facts = (flags: Array<'fast-press' | 'burst' | 'unarmed-presses' | 'no-staff'>, msFromInvitation = 5000) => ({
  msFromInvitation,
  staffLoggedIn: !flags.includes('no-staff'),
  unarmedPressesBefore: flags.includes('unarmed-presses') ? 4 : 0,
  ratingsInLastMinute: flags.includes('burst') ? 3 : 0,
  flags,
});

beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.registry.upsertStaff({ staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: [], windowId: 'w-01' });
  await gw.registry.upsertStaff({ staffId: 's-002', staffNo: 'A002', name: '李明', post: '税务受理', title: '科员', badgeUids: [], windowId: 'w-02' });
  const market = await gw.store.db.selectFrom('windows').select('department_id').where('window_id', '=', 'w-01').executeTakeFirstOrThrow();
  for (const [user, role] of [
    ['manager', 'manager'],
    ['supervisor', 'supervisor'],
    ['it', 'hall-it'],
    ['auditor', 'auditor'],
  ] as const)
    await gw.auth.createUser(user, `${user}-password-1`, role);
  await gw.auth.createUser('market-head', 'market-head-password-1', 'dept-head', { departmentId: market.department_id });
  for (const user of ['manager', 'supervisor', 'it', 'auditor', 'market-head']) {
    const r = await gw.auth.login(user, `${user}-password-1`, null);
    tokens[user] = r.ok ? r.token : '';
  }

  const mqttUrl = `mqtt://127.0.0.1:${gw.mqttPort}`;
  const one = new ScriptedDevice('dev-int-1', 'w-01', gw.httpUrl);
  await one.enrol((await gw.enrolment.registerDevice('dev-int-1', 'w-01')).code);
  await one.connect(mqttUrl);
  await one.send([
    one.rating(5),
    one.rating(5, { caseNo: 'LF-2026-0042' }, { facts: facts(['fast-press'], 400) }),
    one.rating(5, {}, { facts: facts(['fast-press', 'burst'], 300) }),
    one.rating(4, {}, { staffId: null, facts: facts(['no-staff']) }),
  ]);
  const two = new ScriptedDevice('dev-int-2', 'w-02', gw.httpUrl);
  await two.enrol((await gw.enrolment.registerDevice('dev-int-2', 'w-02')).code);
  await two.connect(mqttUrl);
  const bad = two.rating(1, {}, { staffId: 's-002', facts: facts(['unarmed-presses']) });
  await two.send([bad, two.detail(bad, [101], '王先生 13800000000 说太慢'), two.rating(5, {}, { staffId: 's-002' })]);
  await gw.assessor.catchUp();
  await one.close();
  await two.close();
});
afterAll(async () => gw?.stop());

async function get(path: string, user: string): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${gw.httpUrl}${path}`, { headers: tokens[user] ? { authorization: `Bearer ${tokens[user]}` } : {} });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

describe('GET /api/integrity', () => {
  it('counts the ratings and each flag per window and per staff, with what each flag means', async () => {
    const { status, body } = await get(`/api/integrity?from=${today}&to=${today}`, 'manager');
    expect(status).toBe(200);
    expect(body.totals).toEqual({ ratings: 6, flagged: 4, flags: { 'fast-press': 2, burst: 1, 'unarmed-presses': 1, 'no-staff': 1 } });
    expect(body.windows.map((w: any) => [w.windowNumber, w.ratings, w.flagged, w.flags['fast-press']])).toEqual([
      ['01', 4, 3, 2],
      ['02', 2, 1, 0],
    ]);
    const staff = Object.fromEntries(body.staff.map((s: any) => [s.staffId ?? 'nobody', s]));
    expect(staff['s-001']).toMatchObject({ staffNo: 'A001', name: '张晓梅', ratings: 3, flagged: 2, windowNumbers: ['01'] });
    expect(staff['s-002']).toMatchObject({ name: '李明', ratings: 2, flags: { 'unarmed-presses': 1 } });
    expect(staff.nobody).toMatchObject({ name: null, ratings: 1, flags: { 'no-staff': 1 } });
    const fast = body.flags.find((f: any) => f.flag === 'fast-press');
    expect(fast.zh).toMatch(/0\.8 秒/);
    expect(fast.en).toMatch(/0\.8 s of the invitation/);
    expect(body.flags.map((f: any) => f.flag)).toEqual(['fast-press', 'burst', 'unarmed-presses', 'no-staff']);
  });

  it("shows a department head their department's windows only; a supervisor all", async () => {
    const head = await get('/api/integrity', 'market-head');
    expect(head.status).toBe(200);
    expect(head.body.windows.map((w: any) => w.windowNumber)).toEqual(['01']);
    expect(head.body.totals.ratings).toBe(4);
    expect(head.body).toMatchObject({ from: expect.any(String), to: today });
    expect((await get('/api/integrity', 'supervisor')).body.totals.ratings).toBe(6);
  });

  it('is for managers, supervisors and department heads only', async () => {
    expect((await get('/api/integrity', 'it')).status).toBe(403);
    expect((await get('/api/integrity', 'auditor')).status).toBe(403);
    expect((await get('/api/integrity', 'nobody')).status).toBe(401);
  });

  it('refuses a bad query naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-13-01', /^from: /],
      ['to=yesterday', /^to: /],
      [`from=${today}&to=2020-01-01`, /^from: .* is after to/],
      ['from=2020-01-01&to=2022-01-01', /^from: the range is 732 days/],
      ['windowNumber=01', /windowNumber/],
    ] as const) {
      const r = await get(`/api/integrity?${query}`, 'manager');
      expect(r.status, query).toBe(400);
      expect(r.body.message, query).toMatch(field);
    }
    expect((await get('/api/integrity/ratings?flag=too-happy', 'manager')).body.message).toMatch(/^flag: /);
  });

  // SQLite's query plan; PostgreSQL plans by its own statistics (docs/POSTGRES.md).
  it.skipIf(process.env.HCP_TEST_STORE === 'postgres')('counts from the covering index alone (a year is millions of rows)', () => {
    const q = integrityTalliesQuery(gw.store.db, { from: '2025-12-01', to: '2026-11-30', departments: null }).compile();
    const plan = gw.store.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING COVERING INDEX assessments_integrity/);
  });
});

describe('GET /api/integrity/ratings', () => {
  it('lists the ratings behind a flag with the facts of each press, and nothing about who rated', async () => {
    const { status, body, text } = await get(`/api/integrity/ratings?flag=fast-press&from=${today}&to=${today}`, 'manager');
    expect(status).toBe(200);
    expect(body.ratings).toHaveLength(2);
    expect(body.ratings[0]).toMatchObject({
      windowNumber: '01',
      staffId: 's-001',
      staffName: '张晓梅',
      level: 5,
      msFromInvitation: 400,
      staffLoggedIn: true,
      flags: ['fast-press'],
    });
    expect(body.ratings[1]).toMatchObject({ msFromInvitation: 300, ratingsInLastMinute: 3, flags: ['fast-press', 'burst'] });
    expect(Object.keys(body.ratings[0]).sort()).toEqual(
      [
        'seq',
        'pressedAt',
        'windowId',
        'windowNumber',
        'staffId',
        'staffNo',
        'staffName',
        'level',
        'msFromInvitation',
        'staffLoggedIn',
        'unarmedPressesBefore',
        'ratingsInLastMinute',
        'flags',
      ].sort(),
    );
    expect(body.nextAfterSeq).toBeNull();

    const unarmed = await get('/api/integrity/ratings?flag=unarmed-presses', 'supervisor');
    expect(unarmed.body.ratings).toEqual([expect.objectContaining({ windowNumber: '02', staffName: '李明', level: 1, unarmedPressesBefore: 4 })]);
    for (const r of [text, unarmed.text]) expect(r).not.toMatch(/LF-2026-0042|13800000000|王先生|caseNo|comment|reasons|contact|invitation|deviceId/);
  });

  it('filters by window and staff, pages, and keeps a department head to their department', async () => {
    const any = await get('/api/integrity/ratings?limit=2', 'manager');
    expect(any.body.ratings).toHaveLength(2);
    const rest = await get(`/api/integrity/ratings?limit=2&afterSeq=${any.body.nextAfterSeq}`, 'manager');
    expect(rest.body.ratings).toHaveLength(2);
    expect(rest.body.nextAfterSeq).not.toBeNull();
    expect((await get(`/api/integrity/ratings?limit=2&afterSeq=${rest.body.nextAfterSeq}`, 'manager')).body).toEqual({ ratings: [], nextAfterSeq: null });

    expect((await get('/api/integrity/ratings?staffId=s-002', 'manager')).body.ratings).toHaveLength(1);
    expect((await get('/api/integrity/ratings?windowId=w-01&flag=no-staff', 'manager')).body.ratings).toEqual([expect.objectContaining({ staffId: null, staffLoggedIn: false })]);
    expect((await get('/api/integrity/ratings?windowId=w-02', 'market-head')).body.ratings).toEqual([]);
    expect((await get('/api/integrity/ratings', 'market-head')).body.ratings.map((r: any) => r.windowNumber)).toEqual(['01', '01', '01']);
  });
});
