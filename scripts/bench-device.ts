/**
 * Device store benchmark (issue 2). Prints, from one run on this machine:
 *  - raw better-sqlite3: one-row INSERT commits in WAL + synchronous=FULL (the floor);
 *  - the device runtime: press → durable commit (hash, sign, state machine, INSERT, commit);
 *  - the ratio of their p99s (target ≤ 3×);
 *  - RSS of the device program idle, and with a 100,000-rating outbox (targets 100 / 120 MiB),
 *    both as shipped (an esbuild bundle run by node) and under tsx (the development runner).
 * Usage: npm run bench:device [-- --n 3000]
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { ChainStore } from '../device/store/chain-store.js';
import { openDeviceDatabase } from '../device/store/database.js';
import { loadOrCreateDeviceKey } from '../device/store/device-key.js';
import { EventLog } from '../device/store/event-log.js';
import { KvState } from '../device/store/kv-state.js';
import { DeviceRuntime } from '../device/runtime/device-runtime.js';
import { configFromBootstrap } from '../device/runtime/window-config.js';
import { CURRENT_CATALOGUE_VERSION } from '../device/contract/index.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '3000' }, backlog: { type: 'string', default: '100000' } } });
const N = Number(values.n);
const BACKLOG = Number(values.backlog);
const ROOT = resolve(import.meta.dirname, '..');

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1]! };
}
const ms = (x: number) => `${x.toFixed(3)} ms`;

function rawCommit(): { p50: number; p99: number; perSec: number } {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'bench-raw-')), 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (seq, id, body) VALUES (?, ?, ?)');
  const body = 'x'.repeat(700); // about a rating record's size
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= N; i++) {
    const a = performance.now();
    ins.run(i, uuidv7(), body);
    lat.push(performance.now() - a);
  }
  const total = performance.now() - t0;
  db.close();
  return { ...stats(lat), perSec: (N / total) * 1000 };
}

async function runtimeCommit(): Promise<{ p50: number; p99: number; perSec: number }> {
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
  for (let i = 0; i < N; i++) {
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
  return { ...stats(lat), perSec: (N / busy) * 1000 };
}

/** A device data dir holding `count` unacknowledged ratings, made fast (1,000 per transaction). */
function fillOutbox(dir: string, count: number): void {
  const db = openDeviceDatabase(join(dir, 'device.db'));
  const store = new ChainStore(db, 'dev-rss', loadOrCreateDeviceKey(dir).privateKey);
  const chunk = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) {
      const at = new Date().toISOString();
      store.append({
        kind: 'rating',
        id: uuidv7(),
        at,
        level: 5,
        channel: 'device-button',
        catalogueVersion: CURRENT_CATALOGUE_VERSION,
        windowId: 'w-01',
        staffId: 's-001',
        invitation: { id: uuidv7(), source: 'staff', invitedAt: at },
        facts: { msFromInvitation: 2300, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 1, flags: [] },
      });
    }
  });
  for (let done = 0; done < count; done += 1000) chunk(Math.min(1000, count - done));
  db.close();
}

async function rssOf(command: string[], configFile: string, settleMs: number): Promise<number> {
  const child = spawn(process.execPath, [...command, '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await new Promise<{ localApi: string; token: string }>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const m = JSON.parse(l);
        if (m.event === 'ready') res(m);
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (c) => rej(new Error(`device exited ${c}`)));
  });
  // Ask what hall IT's status screen asks (backlog over the whole outbox), then let it settle.
  await fetch(`${ready.localApi}/api/status`, { headers: { authorization: `Bearer ${ready.token}` } });
  await new Promise((r) => setTimeout(r, settleMs));
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return kib / 1024;
}

function configFor(dir: string, deviceId: string): string {
  const file = join(dir, 'device.json');
  writeFileSync(
    file,
    JSON.stringify({
      deviceId,
      dataDir: dir,
      localApi: { port: 0 },
      logLevel: 'warn',
      bootstrap: { hallName: 'H', window: { id: 'w-01', number: '01', department: 'D' }, roster: [] },
    }),
  );
  return file;
}

const raw = rawCommit();
const dev = await runtimeCommit();
console.log(`commit latency, ${N} commits each (WAL, synchronous=FULL, this machine's disk)`);
console.log(`  raw better-sqlite3 one-row commit : p50 ${ms(raw.p50)}  p99 ${ms(raw.p99)}  ${raw.perSec.toFixed(0)} commits/s`);
console.log(`  device press → durable commit     : p50 ${ms(dev.p50)}  p99 ${ms(dev.p99)}  ${dev.perSec.toFixed(0)} ratings/s`);
console.log(`  ratio p99 device/raw              : ${(dev.p99 / raw.p99).toFixed(2)}× (target ≤ 3×)`);

// The bundle sits under the repo's dist/ so it resolves node_modules as an installed device would.
const bundled = join(ROOT, 'dist', 'bench', 'device.mjs');
await build({
  entryPoints: [join(ROOT, 'device/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: bundled,
  logLevel: 'silent',
});

const idleDir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
const fullDir = mkdtempSync(join(tmpdir(), 'bench-full-'));
const t0 = performance.now();
fillOutbox(fullDir, BACKLOG);
console.log(`\nRSS of the device program (outbox of ${BACKLOG} ratings made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
for (const [label, cmd] of [
  ['shipped (node, esbuild bundle)', [bundled]],
  ['development (node --import tsx)', ['--import', 'tsx', join(ROOT, 'device/main.ts')]],
] as const) {
  const idle = await rssOf([...cmd], configFor(idleDir, 'dev-idle'), 2000);
  const full = await rssOf([...cmd], configFor(fullDir, 'dev-rss'), 2000);
  console.log(`  ${label.padEnd(32)}: idle ${idle.toFixed(1)} MiB (target ≤ 100), ${BACKLOG}-rating outbox ${full.toFixed(1)} MiB (target ≤ 120)`);
}
