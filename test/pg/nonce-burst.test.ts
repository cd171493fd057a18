/**
 * Login nonces for many devices at once on PostgreSQL, with no retry to hide a collision: each
 * nonce is one device's business, so issuing them for different devices must not make their
 * SERIALIZABLE transactions conflict. It did (the city bench saw HTTP 500s when ten retries ran
 * out): every issue also cleared the whole table's expired nonces and read the device's open ones
 * by a scan, and PostgreSQL's SSI took those reads as reads of every row, others' new ones too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceLogin } from '../../gateway/enrolment/device-login.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const DEVICES = 12;
const dir = mkdtempSync(join(tmpdir(), 'hcp-nonce-burst-'));
let gw: Gateway;
let once: GatewayStore;
const ids = Array.from({ length: DEVICES }, (_, i) => `dev-nonce-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  gw = await startInProcessGateway({ dir });
  for (const id of ids) {
    const d = new ScriptedDevice(id, 'w-01', gw.httpUrl);
    expect((await d.enrol((await gw.enrolment.registerDevice(id, 'w-01')).code)).status).toBe(200);
  }
  // The same database as the gateway's, with a write that is tried once: a conflict is an error here.
  once = await openPostgresStore({ connectionString: await testDatabaseUrl(join(dir, 'data')), poolSize: DEVICES, maxWriteAttempts: 1 });
});
afterAll(async () => {
  await once?.close();
  await gw?.stop();
});

it(`issues nonces to ${DEVICES} devices at once, ten times over, without one serialization failure`, async () => {
  const login = new DeviceLogin(once, { now: () => Date.now() }, true);
  const failures: string[] = [];
  for (let round = 0; round < 10; round++) {
    const answers = await Promise.allSettled(ids.map((id) => login.issueNonce(id)));
    for (const a of answers) if (a.status === 'rejected') failures.push(String((a.reason as Error).message).slice(0, 120));
    for (const a of answers) if (a.status === 'fulfilled') expect(a.value?.nonce).toMatch(/^[\w-]{24}$/);
  }
  expect(failures).toEqual([]);
  // Still at most 8 open nonces a device, however many were asked for.
  const open = await once.db.selectFrom('device_nonces').select(['device_id']).where('used_at', 'is', null).execute();
  const perDevice = new Map<string, number>();
  for (const r of open) perDevice.set(r.device_id, (perDevice.get(r.device_id) ?? 0) + 1);
  expect(Math.max(...perDevice.values())).toBeLessThanOrEqual(8);
}, 120_000);
