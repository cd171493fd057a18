/**
 * The two sides of bench:device's commit-latency figure, one round each: every call opens fresh
 * files in a new temporary directory (and a fresh device key) and removes them after, so rounds are
 * independent (no round commits into a WAL or page cache another round grew).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_CATALOGUE_VERSION } from '../../device/contract/index.js';
import { DeviceRuntime } from '../../device/runtime/device-runtime.js';
import { configFromBootstrap } from '../../device/runtime/window-config.js';
import { ChainStore } from '../../device/store/chain-store.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import { EventLog } from '../../device/store/event-log.js';
import { KvState } from '../../device/store/kv-state.js';

export interface CommitLatency {
  p50: number;
  p99: number;
  /** Commits (or ratings) per second of time spent committing. */
  perSec: number;
}

function latency(samples: number[], busyMs: number): CommitLatency {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p99: q(0.99), perSec: (samples.length / busyMs) * 1000 };
}

/** The floor: `n` one-row INSERT commits straight into better-sqlite3, WAL + synchronous=FULL as the device store. */
export async function rawCommit(n: number): Promise<CommitLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (seq, id, body) VALUES (?, ?, ?)');
  const body = 'x'.repeat(700); // about a rating record's size
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    const a = performance.now();
    ins.run(i, uuidv7(), body);
    lat.push(performance.now() - a);
  }
  const total = performance.now() - t0;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return latency(lat, total);
}

/** The device runtime: `n` presses, each timed from the press to its durable commit (hash, sign, state machine, INSERT, commit). */
export async function runtimeCommit(n: number): Promise<CommitLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dev-'));
  const db = openDeviceDatabase(join(dir, 'device.db'));
  const store = new ChainStore(db, 'dev-bench', generateKeyPairSync('ed25519').privateKey);
  const roster = [{ staffId: 's', staffNo: '1', name: '张', post: 'p', title: 't', badgeUids: ['0A1B2C3D4E'] }];
  const rt = new DeviceRuntime({
    deviceId: 'dev-bench',
    store,
    kv: new KvState(db),
    events: new EventLog(db),
    logger: pino({ level: 'silent' }),
    initialConfig: configFromBootstrap('dev-bench', { hallName: 'H', window: { id: 'w', number: '1', department: 'D' }, roster, catalogueVersion: CURRENT_CATALOGUE_VERSION }, 120),
    detailsTimeoutSec: 60,
    thanksTimeoutSec: 4,
  });
  await rt.submit({ kind: 'badge', uid: '0A1B2C3D4E', source: 'test' });
  const lat: number[] = [];
  let busy = 0;
  for (let i = 0; i < n; i++) {
    await rt.submit({ kind: 'please-rate', source: 'test' });
    const a = performance.now();
    const r = await rt.submit({ kind: 'press', level: ((i % 5) + 1) as 1, source: 'panel' });
    const d = performance.now() - a;
    if (!r.accepted) throw new Error(`press refused: ${JSON.stringify(r)}`);
    lat.push(d);
    busy += d;
  }
  await rt.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return latency(lat, busy);
}
