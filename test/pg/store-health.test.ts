/**
 * A worker whose PostgreSQL stops taking writes while it runs: its database turned read-only (what a
 * standby answers, and a former primary that rejoined as one after a failover), then gone (renamed
 * away, so new connections are refused). GET /health answers 503 with the problem, so that a load
 * balancer stops sending it browsers; ingest leaves every batch unacknowledged with one log line
 * for the lot (not one per batch); when the database is back, /health answers 200 and the devices'
 * resends are stored, each record once. /metrics answers throughout, with `hcp_store_up 0`; the
 * live console's polls, failing all the while, log one line and their end. And a
 * server that takes the connection and never answers
 * gets its answer within the probe's 3 s. Runs in test:pg only.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainRecord } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import pg from 'pg';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { AlertBoard } from '../../gateway/alerts/alert-board.js';
import { LiveHub } from '../../gateway/live/live-hub.js';
import { HEALTH_PROBE_TIMEOUT_MS, openPostgresStore } from '../../gateway/store/postgres-store.js';
import { HEALTH_FRESH_MS } from '../../gateway/store/store-health.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { takeDatabaseAway, testClusterUrl, testDatabaseUrl } from '../support/pg-cluster.js';
import { enrolledDevice, type ScriptedDevice } from '../support/scripted-device.js';
import { TcpProxy } from '../sync/tcp-proxy.js';

let gw: Gateway;
let admin: pg.Client;
let database: string;
const logs: string[] = [];
const devices: ScriptedDevice[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-health-'));
  database = new URL(await testDatabaseUrl(join(dir, 'data'))).pathname.slice(1);
  admin = new pg.Client({ connectionString: `${await testClusterUrl()}/postgres` });
  await admin.connect();
  gw = await startInProcessGateway({ dir, logLines: logs });
  for (const id of ['dev-h-1', 'dev-h-2', 'dev-h-3']) devices.push(await enrolledDevice(gw, id));
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await gw?.stop();
  await admin?.end();
});

/** Ends every session on `name`: the gateway's pool opens new ones, which meet the database as it now is. */
const endSessions = (name: string) => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);

async function health(): Promise<{ status: number; body: { ok: boolean; problem?: string } }> {
  const r = await fetch(`${gw.httpUrl}/health`);
  return { status: r.status, body: (await r.json()) as { ok: boolean; problem?: string } };
}

/** /health's answer once it matches `status` (a probe's answer is given again for HEALTH_FRESH_MS). */
const healthOnce = (status: number) =>
  waitFor(
    async () => {
      const h = await health();
      return h.status === status ? h : undefined;
    },
    { what: `/health ${status}`, stallMs: 10 * HEALTH_FRESH_MS, everyMs: 100 },
  );

function batchOf(dev: ScriptedDevice, records: ChainRecord[]) {
  const batchId = uuidv7();
  return {
    batchId,
    payload: Buffer.from(JSON.stringify({ batchId, deviceId: dev.deviceId, records, sentAt: new Date().toISOString(), keyFingerprint: keyFingerprint(dev.publicKeyPem) })),
  };
}

const linesWith = (text: string) => logs.filter((l) => l.includes(text));

it('answers 200 while the database takes writes', async () => {
  expect(await health()).toEqual({ status: 200, body: { ok: true } });
});

it('answers 503 while the database is read-only, and leaves every batch unacknowledged with one log line; the resends are stored once it takes writes again', async () => {
  await admin.query(`ALTER DATABASE ${database} SET default_transaction_read_only = on`);
  await endSessions(database);
  const batches = devices.map((d) => ({ dev: d, ...batchOf(d, [d.rating(5), d.rating(1), d.rating(4)]) }));
  try {
    const down = await healthOnce(503);
    expect(down).toEqual({ status: 503, body: { ok: false, problem: expect.stringMatching(/^the database takes no writes \(transaction_read_only = on/) } });
    // docs/POSTGRES.md ("Health") quotes it as it is.
    expect(readFileSync('docs/POSTGRES.md', 'utf8').replace(/\s+/g, ' ')).toContain(`\`${down.body.problem}\``);
    // At once: they meet in one group or a few, each of which fails on the read-only database.
    await Promise.all(batches.map((b) => gw.ingest.submit(b.dev.deviceId, b.payload)));
    expect(devices.flatMap((d) => d.acks)).toEqual([]);
    expect(linesWith('the store took no writes:').map((l) => JSON.parse(l).why)).toEqual([down.body.problem]);
    expect(linesWith('committing batch by batch')).toEqual([]);
    expect(linesWith('batch not committed')).toEqual([]);
    expect(linesWith('the store cannot take writes')).toHaveLength(1);
    // A read-only database still answers the gauges' reads.
    const text = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^hcp_store_up 0$/m);
    expect(text).toMatch(/^hcp_devices_enrolled 3$/m);
  } finally {
    await admin.query(`ALTER DATABASE ${database} RESET default_transaction_read_only`);
    await endSessions(database);
  }
  expect(await healthOnce(200)).toEqual({ status: 200, body: { ok: true } });
  expect(linesWith('the store takes writes again: /health answers 200')).toHaveLength(1);

  // The devices resend what was not acknowledged: each record is stored once.
  await Promise.all(batches.map((b) => gw.ingest.submit(b.dev.deviceId, b.payload)));
  for (const b of batches) {
    const ack = await waitFor(() => b.dev.acks.find((a) => a.batchId === b.batchId), { what: `the ack of ${b.dev.deviceId}` });
    expect([ack.committedThroughSeq, ack.rejected]).toEqual([3, []]);
  }
  // Ingest's own line for the end of it, with the batches it left unacknowledged since its first line.
  expect(linesWith('the store takes writes again: batches are acknowledged')).toHaveLength(1);
  const stored = await gw.store.db.selectFrom('records').select(['device_id', 'seq']).orderBy('device_id').orderBy('seq').execute();
  expect(stored).toEqual(devices.flatMap((d) => [1, 2, 3].map((seq) => ({ device_id: d.deviceId, seq }))));
});

it('answers 503 naming why while the database cannot be reached, and 200 when it can again', async () => {
  // A console listening all the while: its hub polls every 20 ms, and every poll fails while the database is away.
  const hubLines: string[] = [];
  const hub = new LiveHub(
    gw.store.db,
    new AlertBoard(gw.store, { now: () => Date.now() }, pino({ level: 'silent' })),
    pino({ level: 'info' }, { write: (l: string) => void hubLines.push(l) }),
    () => Date.now(),
    20,
  );
  await hub.start();
  hub.subscribe({ departments: null, alerts: true, afterSeq: 0, send: () => undefined, close: () => undefined });
  const back = await takeDatabaseAway(admin, database);
  try {
    const down = await healthOnce(503);
    expect(down.body.problem).toMatch(/^the database cannot be reached: 3D000 database ".+" does not exist$/);
    // /metrics still answers, with what this process knows: the store is down, and what ingest stored.
    const metrics = await fetch(`${gw.httpUrl}/metrics`);
    const text = await metrics.text();
    expect(metrics.status).toBe(200);
    expect(text).toMatch(/^hcp_store_up 0$/m);
    expect(text).toMatch(/^hcp_ingest_records_stored_total 9$/m);
    // What it would read from the database is not known: NaN, not a 0 that says no device is online.
    // (prom-client writes NaN as `Nan`, which Prometheus reads case-blind.)
    expect(text).toMatch(/^hcp_devices_online nan$/im);
    expect(text).not.toMatch(/^hcp_alerts_live\{/m);
    const dev = devices[0]!;
    const b = batchOf(dev, [dev.rating(2)]);
    await gw.ingest.submit(dev.deviceId, b.payload);
    expect(dev.acks.find((a) => a.batchId === b.batchId)).toBeUndefined();
    expect(linesWith('batch not committed')).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await back();
  }
  expect(await healthOnce(200)).toEqual({ status: 200, body: { ok: true } });
  await waitFor(() => hubLines.some((l) => l.includes('live polls work again')), { what: "the hub's polls back" });
  await hub.stop();
  // Every poll of the outage failed: one line said so, and one more its end (with how many failed since).
  const failed = hubLines.filter((l) => l.includes('live poll failed'));
  expect(failed).toHaveLength(1);
  expect(JSON.parse(hubLines.find((l) => l.includes('live polls work again'))!).failed).toBeGreaterThanOrEqual(5);
  expect(await (await fetch(`${gw.httpUrl}/metrics`)).text()).toMatch(/^hcp_store_up 1$/m);
});

it('answers within its 3 s when the server takes the connection and never answers', async () => {
  const url = new URL(await testDatabaseUrl(`health-silent-${process.pid}`));
  const silent: Server = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  let target = Number(url.port);
  const proxy = new TcpProxy(() => target);
  url.port = String(await proxy.start());
  const store = await openPostgresStore({ connectionString: url.toString(), poolSize: 1 });
  try {
    expect(await store.health()).toEqual({ ok: true });
    // From now on a new connection reaches a server that never says a word.
    target = (silent.address() as { port: number }).port;
    const started = performance.now();
    const h = await store.health();
    const took = performance.now() - started;
    expect(h).toEqual({ ok: false, problem: 'the database cannot be reached: no answer within 3 s' });
    expect(took).toBeGreaterThanOrEqual(HEALTH_PROBE_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(HEALTH_PROBE_TIMEOUT_MS + 2_000);
  } finally {
    await store.close();
    await proxy.stop();
    silent.close();
  }
});
