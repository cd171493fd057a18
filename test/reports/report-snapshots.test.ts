/**
 * Snapshots cannot be altered (R15): the verification route recomputes both hashes; the table
 * refuses an UPDATE; a row changed behind the triggers' back (triggers dropped on the SQLite file) is
 * detected. A write-off after publication makes v2 naming v1 and saying why, with the rating out of
 * the figures, and v1 unchanged. Roles: manager and supervisor read, only the manager generates.
 */
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVEMBER_DUE, writeOffLate } from './fixture-month.js';
import { startReportHarness, type ReportHarness } from './report-harness.js';

let h: ReportHarness;
const m = (num: number, den: number) => ({ num, den, value: den === 0 ? null : num / den });

beforeAll(async () => {
  h = await startReportHarness();
}, 60_000);
afterAll(async () => h?.gw.stop());

describe('report snapshots', () => {
  it('refuses a period that has not ended, and anyone but the manager', async () => {
    const early = await h.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-11' });
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('has not ended');
    await h.at(NOVEMBER_DUE - 3 * 86_400_000); // 2026-11-30 06:00 China: still November
    expect((await h.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-11' })).status).toBe(409);
    expect((await h.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-13' })).status).toBe(400);
    expect((await h.supervisor.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-10' })).status).toBe(403);
    expect((await h.head.call('GET', '/api/reports')).status).toBe(403);
  });

  it('generates on demand, once: a second ask with nothing changed gives the same version', async () => {
    await h.at(Date.parse('2026-12-01T09:00:00+08:00'));
    const first = await h.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-11' });
    expect(first.status).toBe(201);
    expect(first.body.snapshot).toMatchObject({ snapshotId: 'monthly-2026-11-v1', version: 1, generatedBy: 'mgr', previousId: null, reason: null, latest: true });
    expect(first.body.snapshot.cutoff).toBe('2026-12-01T01:00:00.000Z');
    const again = await h.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-11' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, snapshot: { snapshotId: 'monthly-2026-11-v1', hash: first.body.snapshot.hash } });
    // The schedule (due 2026-12-03 06:00) finds it made and makes no other.
    await h.at(NOVEMBER_DUE);
    expect((await h.reports.desk.tick()).map((s) => s.snapshotId)).not.toContain('monthly-2026-11-v2');
  });

  it('verifies: both hashes recomputed from the stored row', async () => {
    const v = await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1/verify');
    expect(v.status).toBe(200);
    expect(v.body.ok).toBe(true);
    expect(v.body.contentHash.computed).toBe(v.body.contentHash.stored);
    expect(v.body.hash.computed).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v9/verify')).status).toBe(404);
  });

  it('a write-off after publication makes v2 naming v1 and saying why; v1 stays as it was', async () => {
    const v1 = (await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1')).body;
    await h.at(Date.parse('2026-12-10T10:00:00+08:00'));
    await writeOffLate(h.gw.store.db, new Date(h.clock.now()).toISOString());
    // The follow-up feature announces a write-off with this event; the feature checks after a pause.
    h.gw.events.emit('followups-changed', { by: 'followup' });
    let list: any;
    // Up to 30 s: the new version is made after a pause, and on a loaded machine (or PostgreSQL) it takes a while.
    for (let i = 0; i < 300; i++) {
      list = (await h.supervisor.call('GET', '/api/reports?kind=monthly&period=2026-11')).body;
      if (list.snapshots.length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(list.snapshots.map((s: any) => [s.snapshotId, s.latest])).toEqual([
      ['monthly-2026-11-v1', false],
      ['monthly-2026-11-v2', true],
    ]);
    const v2 = (await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v2')).body;
    expect(v2.snapshot).toMatchObject({ previousId: 'monthly-2026-11-v1', previousHash: v1.snapshot.hash, generatedBy: 'recheck', cutoff: v1.snapshot.cutoff });
    expect(v2.snapshot.reason.writeOffs).toEqual([
      { assessId: 'r7', kind: 'mistaken', approvedBy: 'sup', approvedAt: '2026-12-10T02:00:00.000Z', reason: '经核实为误评：评价人误按' },
    ]);
    expect(v2.snapshot.reason.zh).toContain('发布后核销 1 条评价');
    // r7 (A, 不满意, not replied) leaves the figures: A counted 10 → 9, 差评 3 → 2, replied 2/2.
    const a1 = v1.content.departments[0];
    const a2 = v2.content.departments[0];
    expect(a1.measures.replyRate).toEqual(m(2, 3));
    expect(a2.measures.replyRate).toEqual(m(2, 2));
    expect(a2.tally.writtenOff).toBe(2);
    expect(v2.content.totals.measures.goodRate).toEqual(m(10, 14));
    expect(v2.content.fairness.totals.writtenOffMistaken).toBe(1);
    // v1 reads exactly as before and still verifies; v2 verifies with its link.
    expect((await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1')).body).toEqual({ ...v1, snapshot: { ...v1.snapshot, latest: false } });
    expect((await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1/verify')).body.ok).toBe(true);
    const check = (await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v2/verify')).body;
    expect(check.ok).toBe(true);
    expect(check.previous).toMatchObject({ id: 'monthly-2026-11-v1', ok: true });
  });

  it('the table refuses an edit, and a row changed behind its back is detected', async () => {
    await expect(h.gw.store.db.updateTable('report_snapshots').set({ content: '{}' }).where('snapshot_id', '=', 'monthly-2026-11-v1').execute()).rejects.toThrow(/append-only/);
    // Someone with the file (or the database's owner): drop the guard, lift A's 好评率 in v1's content.
    const lift = (content: string) => content.replace('"goodRate":{"den":10,"num":7', '"goodRate":{"den":10,"num":9');
    if (h.gw.store.sqlite) {
      const file = new Database(h.gw.store.sqlite.name);
      file.exec('DROP TRIGGER report_snapshots_no_update');
      const row = file.prepare("SELECT content FROM report_snapshots WHERE snapshot_id = 'monthly-2026-11-v1'").get() as { content: string };
      file.prepare("UPDATE report_snapshots SET content = ? WHERE snapshot_id = 'monthly-2026-11-v1'").run(lift(row.content));
      file.close();
    } else {
      const db = h.gw.store.db;
      await sql`ALTER TABLE report_snapshots DISABLE TRIGGER report_snapshots_append_only`.execute(db);
      const row = await db.selectFrom('report_snapshots').select('content').where('snapshot_id', '=', 'monthly-2026-11-v1').executeTakeFirstOrThrow();
      await db
        .updateTable('report_snapshots')
        .set({ content: lift(row.content) })
        .where('snapshot_id', '=', 'monthly-2026-11-v1')
        .execute();
    }
    const v = (await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1/verify')).body;
    expect(v.ok).toBe(false);
    expect(v.contentHash.ok).toBe(false);
    expect(v.hash.ok).toBe(true); // the envelope still names the original content hash
  });
});
