/**
 * Tampering with a stored rating (issue 2, "Must show" 3): edit a field, delete a row, reorder
 * rows, delete the acknowledged tail — `npm run device:verify` catches each and exits 1.
 * The tamperer works around the append-only triggers, as someone with the disk would.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashRecord } from '../../device/contract/chain.js';
import type { ChainRecord, UnsignedRecord } from '../../device/contract/index.js';
import { ChainPruner } from '../../device/store/chain-pruner.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import { DEMO_STAFF, REPO_ROOT, startDevice } from '../support/device-process.js';

function verify(dataDir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'device/cli/verify.ts', '--data-dir', dataDir], { cwd: REPO_ROOT });
  return { code: r.status, out: r.stdout.toString() };
}

function tampered(source: string, sql: (db: Database.Database) => void): string {
  const copy = mkdtempSync(join(tmpdir(), 'hcp-tamper-'));
  cpSync(source, copy, { recursive: true });
  const db = new Database(join(copy, 'device.db'));
  db.exec('DROP TRIGGER records_no_update; DROP TRIGGER records_no_delete;');
  sql(db);
  db.close();
  return copy;
}

describe('verify command', () => {
  let dataDir = '';
  beforeAll(async () => {
    const device = await startDevice({ deviceId: 'dev-tamper', dir: mkdtempSync(join(tmpdir(), 'hcp-tamper-src-')) });
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    for (const level of [5, 4, 3, 5, 2, 5]) {
      await device.api('POST', '/api/invite');
      await device.api('POST', '/api/rate', { level });
    }
    await device.stop();
    dataDir = device.dataDir;
    // Pretend the gateway acknowledged everything: the tail is then pinned by the ack.
    const db = new Database(join(dataDir, 'device.db'));
    db.prepare('UPDATE outbox_ack SET acked_through_seq = 6, head_hash = (SELECT hash FROM records WHERE seq = 6), acked_at = ?').run(new Date().toISOString());
    db.close();
  });

  it('passes an untouched store', () => {
    const r = verify(dataDir);
    expect(r.out).toMatch(/6 records \(6 ratings\)/);
    expect(r.code).toBe(0);
  });

  it('catches an edited field', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare("UPDATE records SET body = json_set(body, '$.level', 5) WHERE seq = 5").run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 5: hash-mismatch/);
  });

  it('catches an edit that also recomputed the hash', () => {
    const r = verify(
      tampered(dataDir, (db) => {
        const row = db.prepare('SELECT body FROM records WHERE seq = 5').get() as { body: string };
        const { hash: _h, sig, ...rest } = JSON.parse(row.body) as ChainRecord;
        const forged = { ...rest, level: 5 } as UnsignedRecord;
        const hash = hashRecord(forged);
        db.prepare('UPDATE records SET hash = ?, body = ? WHERE seq = 5').run(hash, JSON.stringify({ ...forged, hash, sig }));
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 5: bad-signature/);
    expect(r.out).toMatch(/seq 6: broken-link/);
  });

  it('catches a deleted row', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare('DELETE FROM records WHERE seq = 3').run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 4: gap/);
    expect(r.out).toMatch(/seq 4: broken-link/);
  });

  it('catches reordered rows', () => {
    const r = verify(
      tampered(dataDir, (db) => {
        const rows = db.prepare('SELECT seq, id, hash, body FROM records WHERE seq IN (2, 4) ORDER BY seq').all() as Array<{ seq: number; id: string; hash: string; body: string }>;
        db.prepare('DELETE FROM records WHERE seq IN (2, 4)').run();
        const ins = db.prepare("INSERT INTO records (seq, id, kind, at, hash, body) VALUES (?, ?, 'rating', '', ?, ?)");
        ins.run(2, rows[1]!.id, rows[1]!.hash, rows[1]!.body);
        ins.run(4, rows[0]!.id, rows[0]!.hash, rows[0]!.body);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/moved or relabelled/);
  });

  it('catches a deleted tail the gateway had acknowledged', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare('DELETE FROM records WHERE seq >= 5').run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/acknowledged is missing/);
  });
});

/**
 * A store pruned after the gateway acknowledged (issue 10, hole 8): verify checks what remains from
 * the checkpoint, and still catches a deleted unacknowledged tail, an edited row, a reordered row
 * and a deleted acknowledged head. The triggers let pruning take nothing else.
 */
describe('verify command on a pruned store', () => {
  let dataDir = '';
  beforeAll(async () => {
    const device = await startDevice({ deviceId: 'dev-pruned', dir: mkdtempSync(join(tmpdir(), 'hcp-pruned-src-')) });
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    for (const level of [5, 4, 3, 5, 2, 5, 4, 5]) {
      await device.api('POST', '/api/invite');
      await device.api('POST', '/api/rate', { level });
    }
    await device.stop();
    dataDir = device.dataDir;
    // The gateway acknowledged 1–5 and refused 2; then the device pruned what it may: 1, 3 and 4.
    const db = openDeviceDatabase(join(dataDir, 'device.db'));
    db.prepare("INSERT INTO outbox_rejections (seq, code, reason, at) VALUES (2, 'catalogue', 'unknown catalogue', ?)").run(new Date().toISOString());
    db.prepare('UPDATE outbox_ack SET acked_through_seq = 5, head_hash = (SELECT hash FROM records WHERE seq = 5), acked_at = ?').run(new Date().toISOString());
    const pruned = new ChainPruner(db).pruneChunk('9999-12-31T00:00:00.000Z', new Date().toISOString());
    db.close();
    expect(pruned).toMatchObject({ records: 3, prunedThroughSeq: 4 });
  });

  it('passes the pruned store: the chain from the checkpoint, the rejected record alone', () => {
    const r = verify(dataDir);
    expect(r.out).toMatch(/5 records \(5 ratings\), head seq 8, acknowledged through 5, pruned through 4/);
    expect(r.code).toBe(0);
  });

  it('refuses, through SQL, every delete but pruning, every edit, and a checkpoint out of bounds', () => {
    const copy = mkdtempSync(join(tmpdir(), 'hcp-pruned-sql-'));
    cpSync(dataDir, copy, { recursive: true });
    const db = new Database(join(copy, 'device.db'));
    try {
      for (const seq of [5, 7, 2]) expect(() => db.prepare('DELETE FROM records WHERE seq = ?').run(seq)).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE records SET at = '' WHERE seq = 6").run()).toThrow(/append-only/);
      expect(() => db.prepare('UPDATE chain_bounds SET pruned_through_seq = 5, pruned_through_hash = (SELECT hash FROM records WHERE seq = 5)').run()).toThrow(/checkpoint/);
      expect(() => db.prepare('UPDATE chain_bounds SET pruned_through_seq = 3').run()).toThrow(/checkpoint/);
      expect(() => db.prepare('UPDATE chain_bounds SET head_seq = 6').run()).toThrow(/head mark/);
    } finally {
      db.close();
    }
  });

  it('catches a deleted unacknowledged tail', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare('DELETE FROM records WHERE seq >= 7').run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/records 7–8 are missing \(deleted tail\)/);
  });

  it('catches an edited row after the checkpoint', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare("UPDATE records SET body = json_set(body, '$.level', 1) WHERE seq = 6").run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 6: hash-mismatch/);
  });

  it('catches an edited rejected row behind the checkpoint', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare("UPDATE records SET body = json_set(body, '$.level', 5) WHERE seq = 2").run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 2: hash-mismatch/);
  });

  it('catches reordered rows after the checkpoint', () => {
    const r = verify(
      tampered(dataDir, (db) => {
        const rows = db.prepare('SELECT seq, id, hash, body FROM records WHERE seq IN (6, 7) ORDER BY seq').all() as Array<{ seq: number; id: string; hash: string; body: string }>;
        db.prepare('DELETE FROM records WHERE seq IN (6, 7)').run();
        const ins = db.prepare("INSERT INTO records (seq, id, kind, at, hash, body) VALUES (?, ?, 'rating', '', ?, ?)");
        ins.run(6, rows[1]!.id, rows[1]!.hash, rows[1]!.body);
        ins.run(7, rows[0]!.id, rows[0]!.hash, rows[0]!.body);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/moved or relabelled/);
  });

  it('catches a deleted acknowledged head', () => {
    const r = verify(tampered(dataDir, (db) => db.prepare('DELETE FROM records WHERE seq = 5').run()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/acknowledged is missing/);
    expect(r.out).toMatch(/seq 6: gap/);
  });
});
