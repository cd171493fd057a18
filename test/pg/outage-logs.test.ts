/**
 * What hall IT reads in a worker's log while its database is gone: every loop of the worker on —
 * the job leases, the uplink to the (simulated) province, SMS invitations through the (simulated)
 * provider — at their default timings, and the database away for 12 s. Each loop that fails at
 * every tick says so once (gateway/log/repeated-failure.ts), so the log is a few lines whatever
 * the outage's length; before, the uplink's four sending loops alone wrote a line a second each.
 * Once the database is back, each says so, and a rating made after it reaches the province.
 * Runs in test:pg only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { SmsSim } from '../../scripts/sms-sim/sim-server.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { takeDatabaseAway, testClusterUrl, testDatabaseUrl } from '../support/pg-cluster.js';
import { enrolledDevice, type ScriptedDevice } from '../support/scripted-device.js';

const OUTAGE_MS = 12_000;
const PROVINCE_KEY = 'outage-province-key';
const SMS_CREDENTIALS = { accessKeyId: 'outage-sms-id', accessKeySecret: 'outage-sms-secret' };

let dir: string;
let gw: Gateway;
let admin: pg.Client;
let database: string;
let province: ProvinceSim;
let sms: SmsSim;
let device: ScriptedDevice;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hcp-outage-'));
  database = new URL(await testDatabaseUrl(join(dir, 'data'))).pathname.slice(1);
  admin = new pg.Client({ connectionString: `${await testClusterUrl()}/postgres` });
  await admin.connect();
  province = new ProvinceSim({ key: PROVINCE_KEY, dbFile: join(dir, 'province.db'), port: 0 });
  sms = new SmsSim({ protocol: 'aliyun', credentials: { aliyun: SMS_CREDENTIALS } });
  const [provinceUrl] = await Promise.all([province.start(), sms.start()]);
  gw = await startInProcessGateway({
    dir,
    logLines: logs,
    sections: {
      hall: { hallName: '测试大厅', qrBaseUrl: 'https://hall.example/p' },
      province: { url: `${provinceUrl}/province/ratings`, appId: 'hcp-outage', key: PROVINCE_KEY, areaCode: '131000', deptCode: 'LF-ZWFW' },
      sms: {
        provider: { kind: 'aliyun', endpoint: sms.url, ...SMS_CREDENTIALS, signName: '测试', templateCode: 'SMS_TEST_0001' },
        callbackToken: 'outage-callback-token-0123',
        quietHours: null,
      },
    },
  });
  device = await enrolledDevice(gw, 'dev-outage-1');
});
afterAll(async () => {
  await device?.close();
  await gw?.stop();
  await admin?.end();
  await province?.stop();
  await sms?.stop();
});

/** The log's warnings and errors from line `from` on, counted by message. */
function problemsSince(from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of logs.slice(from).map((t) => JSON.parse(t) as { level: number; msg: string })) if (l.level >= 40) counts[l.msg] = (counts[l.msg] ?? 0) + 1;
  return counts;
}

it(`logs a ${OUTAGE_MS / 1000}-s database outage in a few lines, each loop's once, and each loop's end`, async () => {
  const before = logs.length;
  const bringBack = await takeDatabaseAway(admin, database);
  const outage = Date.now();
  try {
    // The uplink's four sending loops read the outbox every second: they fail from the first.
    await waitFor(() => problemsSince(before)['outbox read failed; the senders read it again'], { what: 'the senders failing', stallMs: 10_000 });
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - outage)));
  } finally {
    await bringBack();
  }
  const during = problemsSince(before);
  // Every loop failed all the while: each said so once.
  expect(during['outbox read failed; the senders read it again']).toBe(1);
  expect(during['sms outbox pass failed; the next pass tries again']).toBe(1);
  expect(during['job leases not renewed']).toBe(1);
  // The rest: a line or two a kind (a leased job that failed before its lease lapsed), not one a tick.
  expect(Object.entries(during).filter(([, n]) => n > 2)).toEqual([]);
  expect(Object.values(during).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12);
  // Each line names its part once: a feature's logger is already its part's (a second `ns` key was written twice).
  expect(logs.filter((l) => (l.match(/"ns":/g) ?? []).length > 1)).toEqual([]);

  // Back: each loop says it works again, and what is rated now reaches the province.
  const back = ['the outbox is read again', 'sms outbox passes work again', 'job leases renewed again'];
  await waitFor(() => back.every((msg) => logs.some((l) => l.includes(`"msg":"${msg}"`))), { what: 'every loop back', stallMs: 20_000 });
  expect((await device.send([device.rating(5)])).rejected).toEqual([]);
  await waitFor(() => province.count() === 1 || undefined, { what: 'the rating at the province', stallMs: 30_000 });
});
