/**
 * Issue 11, the live hall: the day's figures per window and department (好评率 with and without the
 * R7 defaults), the feed, and the event stream that rings a 差评 in the manager's console. A
 * department head sees only their department's windows; the lobby screen's link shows aggregates
 * without a login and stops working when revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
let taxDept = '';
const devs: ScriptedDevice[] = [];
const tokens: Record<string, string> = {};

const api = async (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${gw.httpUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers } });
const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;

beforeAll(async () => {
  gw = await startInProcessGateway();
  taxDept = (await gw.store.db.selectFrom('departments').select('department_id').where('name', '=', '税务局').executeTakeFirstOrThrow()).department_id;
  await gw.auth.createUser('manager1', 'manager-password-1', 'manager');
  await gw.auth.createUser('taxhead', 'taxhead-password-1', 'dept-head', { departmentId: taxDept });
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  for (const u of [
    ['manager1', 'manager-password-1'],
    ['taxhead', 'taxhead-password-1'],
    ['it1', 'it-password-0001'],
  ] as const) {
    const res = await fetch(`${gw.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u[0], password: u[1] }),
    });
    tokens[u[0]] = ((await res.json()) as { token: string }).token;
  }
  for (const [id, win] of [
    ['dev-l01', 'w-01'],
    ['dev-l02', 'w-02'],
  ] as const) {
    const d = new ScriptedDevice(id, win, gw.httpUrl);
    await d.enrol((await gw.enrolment.registerDevice(id, win)).code);
    await d.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    devs.push(d);
  }
});
afterAll(async () => {
  for (const d of devs) await d.close();
  await gw?.stop();
});

/** Read a text/event-stream until `until` says stop (or the time runs out). */
async function readEvents(token: string, until: (events: Array<{ event: string; data: any }>) => boolean, timeoutMs: number, lastEventId?: string) {
  const ac = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
  const res = await fetch(`${gw.httpUrl}/api/live/events`, { headers, signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: Array<{ event: string; data: any }> = [];
  const reader = res.body!.getReader();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString('utf8');
      let end = buf.indexOf('\n\n');
      while (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = buf.indexOf('\n\n');
      }
      if (until(events)) break;
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

describe('the live hall', () => {
  it('counts the day per window and department, and a department head sees only theirs', async () => {
    const [d1, d2] = devs as [ScriptedDevice, ScriptedDevice];
    await d1.send([d1.rating(5), d1.rating(5), d1.rating(4), d1.rating(1)]);
    const bad = d2.rating(2);
    await d2.send([d2.rating(5), bad, d2.detail(bad, [101])]);
    await gw.assessor.catchUp();

    const all = await json<any>(api('/api/live/summary', tokens.manager1!));
    expect(all.totals).toMatchObject({ count: 6, bad: 2, defaults: 0, levels: { 1: 1, 2: 1, 3: 0, 4: 1, 5: 3 } });
    expect(all.totals.goodRate).toBeCloseTo(4 / 6, 5);
    const w1 = all.windows.find((w: any) => w.windowId === 'w-01');
    expect(w1).toMatchObject({ number: '01', department: '市场监管局', count: 4, bad: 1 });
    expect(all.departments.map((d: any) => d.department).sort()).toEqual(['市场监管局', '税务局']);

    const tax = await json<any>(api('/api/live/summary', tokens.taxhead!));
    expect(tax.totals.count).toBe(2);
    expect(tax.windows.map((w: any) => w.windowId)).toEqual(['w-02']);
    const feed = await json<any[]>(api('/api/live/feed?limit=50', tokens.taxhead!));
    expect(feed.every((f) => f.windowId === 'w-02')).toBe(true);
    expect(feed.find((f) => f.assessId && f.change === 'details')?.reasons).toEqual([101]);
    // The feed names the window and the staff member, never the rater or a case's applicant.
    expect(JSON.stringify(feed)).not.toMatch(/caseNo|contact|phone/);

    const badReq = await api('/api/live/summary?date=29-11-2026', tokens.manager1!);
    expect(badReq.status).toBe(400);
    expect(((await badReq.json()) as { message: string }).message).toMatch(/date/);
  });

  it('streams a 差评 to a manager within 2 s, and only their department to a department head', async () => {
    const [d1, d2] = devs as [ScriptedDevice, ScriptedDevice];
    const managerStream = readEvents(tokens.manager1!, (ev) => ev.some((e) => e.event === 'rating' && e.data.bad), 5000);
    const headStream = readEvents(tokens.taxhead!, (ev) => ev.some((e) => e.event === 'rating' && e.data.windowId === 'w-02'), 5000);
    await new Promise((r) => setTimeout(r, 400)); // both streams are open before the presses
    const t0 = Date.now();
    await d1.send([d1.rating(1)]);
    await d2.send([d2.rating(5)]);
    const got = await managerStream;
    const latency = Date.now() - t0;
    const badEvent = got.find((e) => e.event === 'rating' && e.data.bad);
    expect(badEvent?.data).toMatchObject({ windowId: 'w-01', level: 1, windowNumber: '01' });
    // Only what happened after the console opened: the first test's ratings are not replayed.
    expect(got.filter((e) => e.event === 'rating').every((e) => e.data.seq > 7)).toBe(true);
    expect(latency).toBeLessThan(2000);
    const head = await headStream;
    expect(head.filter((e) => e.event === 'rating').map((e) => e.data.windowId)).toEqual(['w-02']);
    expect(head.some((e) => e.event === 'alert')).toBe(false);

    // A console that lost its connection resumes where it was (EventSource's Last-Event-ID).
    const lastSeen = got.filter((e) => e.event === 'rating').at(-1)!.data.seq as number;
    await d2.send([d2.rating(1)]);
    await gw.assessor.catchUp();
    const resumed = await readEvents(tokens.manager1!, (ev) => ev.some((e) => e.data.level === 1 && e.data.windowId === 'w-02'), 3000, String(lastSeen));
    expect(resumed.map((e) => e.data.seq)).toEqual([...new Set(resumed.map((e) => e.data.seq))]);
    expect(resumed.every((e) => e.data.seq > lastSeen)).toBe(true);
    expect(resumed.some((e) => e.data.windowId === 'w-02' && e.data.level === 1)).toBe(true);
  });

  it('gives the lobby screen aggregates through a link that can be revoked', async () => {
    await gw.assessor.catchUp();
    expect((await api('/api/screen-links', tokens.taxhead!, { method: 'POST', body: JSON.stringify({ label: '一楼大屏' }) })).status).toBe(403);
    const made = await json<{ linkId: string; key: string; path: string }>(api('/api/screen-links', tokens.it1!, { method: 'POST', body: JSON.stringify({ label: '一楼大屏' }) }));
    expect(made.path).toBe(`/#/screen?key=${encodeURIComponent(made.key)}`);
    const screen = await fetch(`${gw.httpUrl}/api/live/screen?key=${encodeURIComponent(made.key)}`);
    expect(screen.status).toBe(200);
    const figures = (await screen.json()) as any;
    expect(figures.totals.count).toBeGreaterThanOrEqual(8);
    expect(JSON.stringify(figures)).not.toMatch(/staffId|assessId/);
    // The key is shown once: the list has no keys.
    expect(JSON.stringify(await json(api('/api/screen-links', tokens.it1!)))).not.toContain(made.key);

    expect((await api(`/api/screen-links/${made.linkId}/revoke`, tokens.manager1!, { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/api/live/screen?key=${encodeURIComponent(made.key)}`)).status).toBe(401);
    const audit = await gw.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'screen-link-%').execute();
    expect(audit.map((a) => a.action)).toEqual(['screen-link-created', 'screen-link-revoked']);
  });
});
