/**
 * The phone page's abuse limits and closed pages, over HTTP through the hall's public address as a
 * phone (or a script) reaches it: a form posted too soon, a replayed form token, a token of another
 * window, the per-address budget, the integrity flags a burst leaves (never who); a paper card rated
 * once; case links (SMS) rated under their channel; expired, unknown and withdrawn pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCaseLink } from '../../gateway/channels/case-links.js';
import { cardAssessId, cardQrText, newSerial } from '../../gateway/paper/card-serial.js';
import { sleep, startPhoneHall, until, type PhoneHall } from './phone-hall.js';

let hall: PhoneHall;
beforeAll(async () => {
  hall = await startPhoneHall({ addressPerHour: 3, burstPer10Min: 2 });
}, 60_000);
afterAll(async () => hall?.stop());

interface Page {
  status: number;
  html: string;
  token: string | null;
  setCookie: string | null;
}
const open = async (path: string, cookie?: string): Promise<Page> => {
  const res = await fetch(`${hall.qrBaseUrl}${path}`, cookie ? { headers: { cookie } } : {});
  const html = await res.text();
  return { status: res.status, html, token: /name="token" value="([^"]+)"/.exec(html)?.[1] ?? null, setCookie: res.headers.get('set-cookie') };
};
const post = async (path: string, form: Record<string, string | string[]>, cookie?: string): Promise<Page> => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
  const res = await fetch(`${hall.qrBaseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body,
  });
  return { status: res.status, html: await res.text(), token: null, setCookie: res.headers.get('set-cookie') };
};
const ledger = (windowId: string) =>
  hall.gw.store.db
    .selectFrom('assessments')
    .select(['assess_id', 'channel', 'flags', 'level'])
    .where('window_id', '=', windowId)
    .where('source', '=', 'channel')
    .orderBy('seq')
    .execute();

describe('phone abuse limits', () => {
  it('refuses a form posted sooner than 3 s, a replayed form token, and a token made for another window', async () => {
    const a = await open('/w/w-02');
    expect(a.status).toBe(200);
    const soon = await post('/w/w-02', { token: a.token!, level: '5' });
    expect(soon.status).toBe(400);
    expect(soon.html).toContain('提交太快了');
    const other = await open('/w/w-01');
    await sleep(3100);
    const first = await post('/w/w-02', { token: a.token!, level: '5' });
    expect(first.status).toBe(200);
    expect(first.html).toContain('感谢您的评价');
    expect(first.setCookie).toMatch(/^hcp_w_w-02=\d{13}\.[\w-]{32}; Max-Age=1800; Path=\/; HttpOnly; SameSite=Lax$/);
    const replay = await post('/w/w-02', { token: a.token!, level: '1', step: 'details', reasons: '213' });
    expect(replay.status).toBe(409);
    expect(replay.html).toContain('这份评价已经提交过了');
    const foreign = await post('/w/w-02', { token: other.token!, level: '4' });
    expect(foreign.status).toBe(400);
    expect(foreign.html).toContain('页面无效');
    // The same browser (its cookie) is refused at once, even with a fresh page.
    const cookie = first.setCookie!.split(';')[0]!;
    expect((await open('/w/w-02', cookie)).html).toContain('您刚刚评价过本窗口');
    expect(await ledger('w-02')).toEqual([expect.objectContaining({ level: 5, channel: 'qr-window', flags: '[]' })]);
  }, 30_000);

  it('one source address rates a window at most 3 times an hour; repeats and bursts are flagged, and nothing about the address is stored', async () => {
    const pages = [await open('/w/w-02'), await open('/w/w-02'), await open('/w/w-02')];
    await sleep(3100);
    for (const p of pages.slice(0, 2)) expect((await post('/w/w-02', { token: p.token!, level: '4' })).status).toBe(200);
    const over = await post('/w/w-02', { token: pages[2]!.token!, level: '4' });
    expect(over.status).toBe(429);
    expect(over.html).toContain('本网络这一小时内对本窗口的评价已达上限');
    expect((await ledger('w-02')).map((r) => JSON.parse(r.flags ?? 'null'))).toEqual([[], ['qr-repeat-source'], ['qr-repeat-source', 'qr-burst']]);
    // Another window has a budget of its own.
    const w1 = await open('/w/w-01');
    await sleep(3100);
    expect((await post('/w/w-01', { token: w1.token!, level: '3' })).status).toBe(200);
    // The budget is a keyed hash: the address appears nowhere in the gateway's tables.
    const budgets = await hall.gw.store.db.selectFrom('phone_address_budget').selectAll().execute();
    expect(budgets.map((b) => b.ratings).sort()).toEqual([1, 3]);
    for (const b of budgets) expect(b.bucket).not.toContain('127.0.0.1');
    const dump = JSON.stringify(await hall.gw.store.db.selectFrom('assessments').selectAll().execute());
    expect(dump).not.toContain('127.0.0.1');
  }, 30_000);

  it('a paper card this hall printed is rated once by phone, as card-<serial>; an invented serial is no card', async () => {
    // A card as the paper feature prints it (gateway/paper): its serial issued and stored for this window.
    const serial = newSerial();
    const at = new Date().toISOString();
    await hall.gw.store.db.insertInto('paper_batches').values({ batch_id: 'b-phone-1', window_id: 'w-01', card_count: 1, printed_by: 'manager', printed_at: at }).execute();
    await hall.gw.store.db
      .insertInto('paper_cards')
      .values({
        serial,
        batch_id: 'b-phone-1',
        position: 1,
        window_id: 'w-01',
        printed_at: at,
        entered_at: null,
        entered_by: null,
        service_date: null,
        rated_at: null,
        working_days_after: null,
        late: null,
      })
      .execute();
    const qr = new URL(cardQrText(serial, 'w-01', hall.qrBaseUrl));
    const path = `${qr.pathname.replace(new URL(hall.qrBaseUrl).pathname.replace(/\/$/, ''), '')}${qr.search}`;
    const p = await open(path);
    expect(p.status).toBe(200);
    await sleep(3100);
    const done = await post(path, { token: p.token!, level: '1', step: 'details', reasons: ['113'], comment: '材料跑了三次' });
    expect(done.status).toBe(200);
    const card = await hall.gw.store.db.selectFrom('assessments').selectAll().where('assess_id', '=', cardAssessId(serial)).executeTakeFirstOrThrow();
    expect(card).toMatchObject({ channel: 'qr-window', level: 1, reasons: '[113]', comment: '材料跑了三次', window_id: 'w-01' });
    const again = await open(path);
    expect(again.html).toContain('这张评议卡已经评价过了');
    expect(again.token).toBeNull();
    // A serial nobody printed opens the window's page as no card: it cannot spend (or block) a real card.
    const invented = await open('/w/w-01?card=LF-2026-000123');
    expect(invented.html).not.toContain('这张评议卡已经评价过了');
    expect(await hall.gw.store.db.selectFrom('assessments').select('assess_id').where('assess_id', 'like', 'card-LF%').execute()).toEqual([]);
  }, 30_000);

  it('a case link rates its case under the link channel (SMS), once; expired, unknown and withdrawn pages say so', async () => {
    expect((await hall.postCase('LF-PH-SMS-1')).status).toBe(200);
    const now = Date.now();
    const [live, old] = await hall.gw.store.write(async (trx) => [
      await issueCaseLink(trx, 'LF-PH-SMS-1', 'sms', new Date(now + 86_400_000).toISOString(), new Date(now).toISOString()),
      await issueCaseLink(trx, 'LF-PH-SMS-1', 'sms', new Date(now - 1000).toISOString(), new Date(now - 86_400_000).toISOString()),
    ]);
    const expired = await open(`/c/${old}`);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain('链接已过期');
    const unknown = await open('/c/AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('找不到');
    const p = await open(`/c/${live}`);
    expect(p.html).toContain('个体工商户注册登记');
    await sleep(3100);
    expect((await post(`/c/${live}`, { token: p.token!, level: '4' })).status).toBe(200);
    const a = await hall.gw.store.db.selectFrom('assessments').select(['channel', 'assess_number', 'level']).where('case_no', '=', 'LF-PH-SMS-1').execute();
    expect(a).toEqual([{ channel: 'sms', assess_number: 1, level: 4 }]);
    expect((await open(`/c/${live}`)).html).toContain('已评价');
    await until(() => hall.sim.stored().some((s) => s.projectNo === 'LF-PH-SMS-1'), 15_000, 'the SMS rating at the province');
    expect(hall.sim.stored().find((s) => s.projectNo === 'LF-PH-SMS-1')!.record).toMatchObject({ pf: 6, satisfaction: 4 });

    expect((await hall.postCase('LF-PH-W-1')).status).toBe(200);
    await until(async () => (await hall.device.api('GET', '/api/state')).body.invitation?.caseNo === 'LF-PH-W-1', 10_000, 'the case on the device');
    const qrUrl = (await hall.device.api('GET', '/api/state')).body.invitation.qrUrl as string;
    const w = await fetch(`${hall.gw.httpUrl}/api/cases/LF-PH-W-1/withdraw`, {
      method: 'POST',
      headers: { 'x-api-key': hall.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: '申请人撤回申请' }),
    });
    expect(w.status).toBe(200);
    const withdrawn = await open(qrUrl.slice(hall.qrBaseUrl.length));
    expect(withdrawn.html).toContain('已撤回');
    expect(withdrawn.token).toBeNull();
  }, 40_000);

  it('lives beside the console: with and without the public address prefix, the console still at /, the API untouched', async () => {
    const direct = await fetch(`${hall.gw.httpUrl}/w/w-01`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain('请为本窗口的服务评价');
    const css = await fetch(`${hall.qrBaseUrl}/phone/phone.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await fetch(`${hall.qrBaseUrl}/phone/ping?n=abcdefgh1234`)).text()).toBe('abcdefgh1234');
    const console_ = await fetch(`${hall.gw.httpUrl}/`);
    expect([200, 503]).toContain(console_.status); // the console, built or saying it is not built
    expect(await console_.text()).not.toContain('好差评 · 评价');
    expect((await fetch(`${hall.gw.httpUrl}/health`)).status).toBe(200);
    expect((await fetch(`${hall.qrBaseUrl}/w/no-such-window`)).status).toBe(404);
  });

  it('the per-case code of a "please rate" the staff opened on the device (no case) rates the window', async () => {
    // An earlier test's case may still be leaving the device (its withdrawal travels): start clean.
    await until(async () => (await hall.device.api('GET', '/api/state')).body.invitation === null, 15_000, 'no invitation on the device');
    expect((await hall.device.api('POST', '/api/invite')).status).toBe(200);
    // The view follows the runtime a moment later on a loaded machine.
    let inv: { source: string; qrUrl: string } | null = null;
    await until(async () => (inv = (await hall.device.api('GET', '/api/state')).body.invitation)?.source === 'staff', 5000, "the staff's invitation on the device");
    expect(inv!.source).toBe('staff');
    const p = await open(inv!.qrUrl.slice(hall.qrBaseUrl.length));
    expect(p.status).toBe(200);
    expect(p.html).toContain('请为本窗口的服务评价');
    expect(p.html).toContain('01 号窗口');
  });
});
