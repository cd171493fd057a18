/**
 * The rater's call-back number (RULES.md R10, R12): sealed on the device to the key the gateway
 * gave it; opened only by the assigned handler, only while the follow-up is open, each opening
 * audited with its reason; masked in every other answer; unreadable once the follow-up is closed
 * and the retention is over (its opening key purged, then the epoch's hall key destroyed); never
 * in the gateway's log, nor in clear in any file of its data directory, nor in any export (the
 * reports of its month as JSON, CSV, XLSX and PDF; the audit log's CSV).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SealedContactSchema } from '@hcp/contract';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { openHall, type Hall } from './followup-hall.js';

const PHONE = '13598765432';
let hall: Hall;
let id = '';
let ratingId = '';

beforeAll(async () => {
  hall = await openHall({ startAt: '2025-11-17T09:00:00+08:00' });
  const bad = await hall.rate(2, { phone: PHONE });
  ratingId = bad.id;
  id = (await hall.followupOf(bad.id))!.followup_id;
  expect((await hall.as.mgr!.call('POST', `/api/followups/${id}/assign`, { handler: 'head-scjg' })).status).toBe(200);
});
afterAll(async () => hall?.stop());

const open = (who: string, reason?: string) => hall.as[who]!.call('POST', `/api/followups/${id}/contact`, reason === undefined ? {} : { reason });
const step = (path: string, body: unknown) => hall.as['head-scjg']!.call('POST', `/api/followups/${id}/${path}`, body);

/** Every file under `dir`, read whole (the database, its WAL, keys, attachments). */
/** Every row of every table of the store, as text. */
async function dumpTables(db: Hall['gw']['store']['db']): Promise<string> {
  const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`.execute(db);
  const out: string[] = [];
  for (const t of tables.rows) out.push(JSON.stringify((await sql`SELECT * FROM ${sql.table(t.tablename)}`.execute(db)).rows));
  return out.join('\n');
}

function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, bytes: readFileSync(file) }];
  });
}

describe('the call-back number', () => {
  it('is masked in every answer but the handler’s audited opening', async () => {
    for (const who of ['mgr', 'sup', 'head-scjg']) {
      for (const path of [`/api/followups/${id}`, '/api/followups', '/api/followups/summary', '/api/ratings', '/api/live/feed']) {
        const r = await hall.as[who]!.call('GET', path);
        expect(r.status, `${who} ${path}`).toBe(200);
        expect(JSON.stringify(r.body), `${who} ${path}`).not.toContain(PHONE);
      }
    }
    expect((await hall.as.mgr!.call('GET', `/api/followups/${id}`)).body.followup.contact).toEqual({ state: 'sealed', masked: '***********', openedCount: 0, purgedAt: null });
  });

  it('opens only for the assigned handler, with a reason, each opening audited', async () => {
    expect((await open('mgr', '核实情况')).status).toBe(403);
    expect((await open('sup', '核实情况')).status).toBe(403);
    expect((await open('head-bdc', '核实情况')).status).toBe(404);
    const noReason = await open('head-scjg');
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/reason/);
    const first = await open('head-scjg', '核实：致电评价人');
    expect(first).toEqual({ status: 200, body: { phone: PHONE, openedCount: 1 } });
    expect((await open('head-scjg', '回访：再次致电')).body.openedCount).toBe(2);
    const audit = (await hall.as.aud!.call('GET', '/api/audit?action=contact-opened')).body.entries;
    expect(audit.map((e: { actor: string; subject: string; detail: { reason: string } }) => [e.actor, e.subject, e.detail.reason])).toEqual([
      ['head-scjg', id, '核实：致电评价人'],
      ['head-scjg', id, '回访：再次致电'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(PHONE);
    const events = (await hall.as.mgr!.call('GET', `/api/followups/${id}`)).body.events;
    expect(events.filter((e: { kind: string }) => e.kind === 'contact-opened').map((e: { note: string }) => e.note)).toEqual(['核实：致电评价人', '回访：再次致电']);
  });

  it('is not opened after the follow-up closes, and is unreadable after the retention', async () => {
    for (const [path, body] of [
      ['verify', { finding: 'untrue', raterReached: true, note: '经核实，等候时间在承诺范围内' }],
      ['resolve', { resolution: 'explained', note: '向评价人解释办理时限' }],
      ['rectify', { note: '已解释' }],
      ['reply', { method: 'phone', note: '已电话解释' }],
      ['call-back', { outcome: 'rerated', rerating: 3, note: '表示理解' }],
      ['close', { rootCause: 'policy', actionTaken: '解释法定办理时限' }],
    ] as const) {
      expect((await step(path, body)).status, path).toBe(200);
    }
    const closed = await open('head-scjg', '再看一下');
    expect(closed.status).toBe(409);
    expect(closed.body.message).toMatch(/closed/);

    const feature = hall.feature();
    hall.at('2025-12-16T09:00:00+08:00'); // 29 days after closing: kept
    expect((await feature.scheduler.tick()).purged).toBe(0);
    hall.at('2025-12-18T09:00:00+08:00'); // past the 30 days of retention
    expect((await feature.scheduler.tick()).purged).toBe(1);
    const view = (await hall.as.mgr!.call('GET', `/api/followups/${id}`)).body;
    expect(view.followup.contact).toMatchObject({ state: 'purged', masked: null, purgedAt: '2025-12-18T01:00:00.000Z' });
    expect(view.events.at(-1)).toMatchObject({ kind: 'contact-purged', actor: 'system' });
    expect(await hall.gw.store.db.selectFrom('followup_contact_keys').select(['opening_key', 'purged_at']).execute()).toEqual([
      { opening_key: null, purged_at: '2025-12-18T01:00:00.000Z' },
    ]);

    // The signed record still holds the seal; once its epoch's hall key is past its grace, nothing opens it.
    const record = await hall.gw.store.db.selectFrom('records').select('body').where('kind', '=', 'detail').executeTakeFirstOrThrow();
    const sealed = SealedContactSchema.parse(JSON.parse(record.body).contact);
    expect(feature.ring.openingKey(sealed)).not.toBeNull();
    hall.at('2025-12-30T09:00:00+08:00'); // epoch 0 ended Nov 24; its 30 days of grace are over
    expect((await feature.scheduler.tick()).keysDestroyed).toContain(sealed.keyId);
    expect(feature.ring.openingKey(sealed)).toBeNull();
    // Devices were given each new epoch's key: what they seal now opens with a key that still exists.
    const current = feature.ring.current();
    expect(current.keyId).not.toBe(sealed.keyId);
    let sent: string | undefined;
    for (let i = 0; i < 200 && sent !== current.keyId; i++) {
      sent = hall.dev.received('config').at(-1)?.contactKey?.keyId;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sent).toBe(current.keyId);
    expect(JSON.parse(record.body).ratingId).toBe(ratingId);
  });

  it('is in no export: report files of its month, the audit log export', async () => {
    // The clock stands in late December: November, the month of the 差评, has ended.
    const mgr = await loggedIn(hall.gw, 'mgr', 'mgr-password-1');
    const made = await mgr.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2025-11' });
    expect(made.status).toBe(201);
    const id = made.body.snapshot.snapshotId as string;
    const download = async (who: ConsoleClient, path: string) => {
      const res = await fetch(`${hall.gw.httpUrl}${path}`, { headers: { authorization: `Bearer ${who.token}` } });
      expect(res.status, path).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const texts: Record<string, string> = {};
    texts.json = JSON.stringify((await mgr.call('GET', `/api/reports/${id}`)).body);
    texts.csv = (await download(mgr, `/api/reports/${id}/export/csv`)).toString('utf8');
    // XLSX is zipped and the PDF's text compressed: read them back as their readers do.
    const wb = new ExcelJS.Workbook();
    // exceljs types its input as Node 18's Buffer; the bytes are what it reads.
    await wb.xlsx.load((await download(mgr, `/api/reports/${id}/export/xlsx`)) as never);
    texts.xlsx = wb.worksheets.flatMap((ws) => ws.getSheetValues().flat().map(String)).join('\n');
    const pdf = join(hall.dir, 'report.pdf');
    writeFileSync(pdf, await download(mgr, `/api/reports/${id}/export/pdf`));
    texts.pdf = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    rmSync(pdf);
    texts.audit = (await download(await loggedIn(hall.gw, 'aud', 'aud-password-1'), '/api/audit/export.csv')).toString('utf8');
    expect(texts.xlsx).toContain('差评回复率'); // the readers read something
    expect(texts.pdf).toContain('差评回复率');
    expect(texts.audit).toContain('contact-opened');
    for (const [name, text] of Object.entries(texts)) expect(text, name).not.toContain(PHONE);
  });

  it('never reaches the log nor any file in clear', async () => {
    // On PostgreSQL the store is not a file here: every row of every table is read instead.
    const rows = hall.gw.store.sqlite ? [] : [Buffer.from(await dumpTables(hall.gw.store.db))];
    await hall.gw.stop(); // flushes the WAL into the database file
    const log = hall.logLines.join('\n');
    expect(log).toMatch(/gateway started/);
    expect(log).not.toContain(PHONE);
    const files = filesUnder(hall.dir);
    if (hall.gw.store.sqlite) expect(files.some((f) => f.file.endsWith('gateway.db'))).toBe(true);
    const all = Buffer.concat([...files.map((f) => f.bytes), ...rows]);
    expect(all.includes(Buffer.from('x25519-aes256gcm'))).toBe(true); // the sealed number is there …
    expect(all.includes(Buffer.from(PHONE))).toBe(false); // … and never in clear
    expect(all.includes(Buffer.from(PHONE, 'utf16le'))).toBe(false);
  });
});
