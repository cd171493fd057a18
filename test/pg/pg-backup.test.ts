/**
 * Issue 15 on PostgreSQL: a gateway whose store is PostgreSQL stores and assesses ratings; hall IT
 * runs `gateway backup` as a process (pg_dump beside the data dir's key files); the database is
 * dropped and created again empty and the data dir removed (the disk is lost); `gateway restore`
 * runs as a process; the gateway starts again and holds every record, its chains verify, the key
 * files are back byte for byte, and the device goes on with its chain. Along the way: a PostgreSQL
 * backup into a SQLite config, a SQLite backup into a PostgreSQL config and a restore over a
 * database that holds data are refused, each with one line saying why.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ChainRecord } from '@hcp/contract';
import { verifyChain } from '@hcp/contract/chain';
import { freePort } from '../../scripts/lib/free-port.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { dataDirKeyFiles } from '../../gateway/backup/pg-backup.js';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';
import { ScriptedDevice } from '../support/scripted-device.js';

const REPO = join(import.meta.dirname, '../..');
const DEVICE = 'dev-pgbk';

/** Run the gateway's command as hall IT would; answers its exit code and output. */
function gatewayCommand(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'gateway/main.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`.trim() };
}

async function snapshot(gw: Gateway) {
  const records = await gw.store.db.selectFrom('records').select(['id', 'epoch', 'seq', 'body']).where('device_id', '=', DEVICE).orderBy('epoch').orderBy('seq').execute();
  const assessments = await gw.store.db.selectFrom('assessments').selectAll().orderBy('assess_id').execute();
  const epochs = await gw.store.db.selectFrom('device_epochs').select(['epoch', 'public_key_pem', 'head_seq']).where('device_id', '=', DEVICE).orderBy('epoch').execute();
  return { records, assessments, epochs };
}

/** Lose the disk: the database dropped and created again, empty. */
async function dropAndRecreate(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

describe('backup and restore of a gateway on PostgreSQL', () => {
  it('dumps online, loses the database and the data dir, restores, and every record and key is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-pg-backup-'));
    const dataDir = join(dir, 'data');
    const url = await testDatabaseUrl(dataDir); // the fixture's database for this data dir
    const configFile = join(dir, 'gateway.json');
    // A password in the url (the test cluster trusts loopback, so any works): no output may show it.
    const PASSWORD = 'pw-never-shown-7731';
    const urlWithPassword = url.replace('postgres@', `postgres:${PASSWORD}@`);
    expect(urlWithPassword).toContain(PASSWORD);
    writeFileSync(configFile, JSON.stringify({ dataDir, hall: { hallName: '测试大厅' }, store: { kind: 'postgres', url: urlWithPassword } }));

    // A fixed HTTP port: the device finds the restored gateway where the lost one was.
    const http = { port: await freePort() };
    let gw = await startInProcessGateway({ dir, http });
    const dev = new ScriptedDevice(DEVICE, 'w-01', gw.httpUrl);
    expect((await dev.enrol((await gw.enrolment.registerDevice(DEVICE, 'w-01')).code)).status).toBe(200);
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    const batch = [5, 4, 1, 5, 2, 3, 5, 5, 1, 4, 5, 3].map((l) => dev.rating(l as 1 | 2 | 3 | 4 | 5));
    expect((await dev.send(batch)).committedThroughSeq).toBe(12);
    await dev.close();
    const assessed = async () => (await gw.store.db.selectFrom('assessments').select('assess_id').execute()).length >= 12;
    expect(await waitUntil(assessed, 15_000, 100), 'the ratings are assessed').toBe(true);
    const before = await snapshot(gw);
    expect(before.records.length).toBe(12);
    const keyFiles = Object.fromEntries(dataDirKeyFiles(dataDir).map((rel) => [rel, readFileSync(join(dataDir, rel))]));

    // Online: the gateway keeps running while pg_dump reads.
    const out = join(dir, 'backups', 'pg');
    const b = gatewayCommand(['backup', '--config', configFile, '--out', out]);
    console.log(`[pg-backup] gateway backup → exit ${b.code}\n${b.out}`);
    expect(b.code).toBe(0);
    expect(b.out).toContain(`${DEVICE}#1@12`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect({ kind: manifest.kind, store: manifest.store, database: manifest.database }).toEqual({ kind: 'gateway', store: 'postgres', database: 'gateway.pgdump' });
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(['gateway.pgdump', ...Object.keys(keyFiles)].sort());

    // Over a database that holds data: refused, nothing touched.
    const full = gatewayCommand(['restore', '--config', configFile, '--from', out]);
    expect(full.code).toBe(2);
    expect(full.out).toMatch(/already holds \d+ tables.*--force/);

    // A PostgreSQL backup into a SQLite config, and a SQLite backup into a PostgreSQL config.
    const liteDir = join(dir, 'lite');
    const liteConfig = join(dir, 'lite.json');
    writeFileSync(liteConfig, JSON.stringify({ dataDir: join(liteDir, 'data'), hall: { hallName: '测试大厅' }, store: { kind: 'sqlite' } }));
    const lite = new Gateway(parseGatewayConfig(JSON.parse(readFileSync(liteConfig, 'utf8')), GATEWAY_FEATURES, dir), pino({ level: 'silent' }), { features: GATEWAY_FEATURES });
    await lite.start();
    await lite.stop();
    const intoLite = gatewayCommand(['restore', '--config', liteConfig, '--from', out]);
    expect(intoLite.code).toBe(2);
    expect(intoLite.out).toContain('is a backup of a PostgreSQL store (pg_dump): this config keeps its store in SQLite');
    const liteBackup = join(dir, 'backups', 'lite');
    expect(gatewayCommand(['backup', '--config', liteConfig, '--out', liteBackup]).code).toBe(0);
    const intoPg = gatewayCommand(['restore', '--config', configFile, '--from', liteBackup]);
    expect(intoPg.code).toBe(2);
    expect(intoPg.out).toContain('is a backup of a SQLite store: this config keeps its store in PostgreSQL');

    // Lose the disk: the gateway stops, its database and its data dir are gone.
    await gw.stop();
    await dropAndRecreate(url);
    rmSync(dataDir, { recursive: true, force: true });
    const r = gatewayCommand(['restore', '--config', configFile, '--from', out]);
    console.log(`[pg-backup] gateway restore → exit ${r.code}\n${r.out}`);
    expect(r.code).toBe(0);
    for (const c of [b, full, intoPg, r]) expect(c.out).not.toContain(PASSWORD);

    gw = await startInProcessGateway({ dir, http });
    try {
      const after = await snapshot(gw);
      expect(after.records).toEqual(before.records);
      expect(after.assessments).toEqual(before.assessments);
      expect(after.epochs).toEqual(before.epochs);
      const chain = after.records.map((row) => JSON.parse(row.body) as ChainRecord);
      expect(verifyChain(chain, createPublicKey(after.epochs[0]!.public_key_pem), { signatures: 'all', deviceId: DEVICE }), 'the chain verifies').toEqual([]);
      for (const [rel, bytes] of Object.entries(keyFiles)) expect(readFileSync(join(dataDir, rel)).equals(bytes), `${rel} is back`).toBe(true);
      // The device goes on where the restored gateway stands.
      await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
      expect((await dev.send([dev.rating(5)])).committedThroughSeq).toBe(13);
      await dev.close();
    } finally {
      await gw.stop();
    }
  }, 90_000);
});
