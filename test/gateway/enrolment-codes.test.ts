/**
 * Enrolment codes (gateway/enrolment/enrolment.ts): one valid code per device, the newest
 * registration's. The device's row names it; an older code, unused or not, is refused, and the
 * voided codes are deleted. A device that crashed after enrolling may present its code again with
 * the same key; a retired device cannot be registered again; a window must exist.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { RegistryError } from '../../gateway/registry/registry-error.js';
import { CORE_MIGRATIONS } from '../../gateway/store/core-schema.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

const codesOf = (deviceId: string) => gw.store.db.selectFrom('enrolment_codes').select(['used_at']).where('device_id', '=', deviceId).execute();

it('accepts only the newest code; the older one is refused and deleted', async () => {
  const dev = new ScriptedDevice('dev-codes', 'w-01', gw.httpUrl);
  const first = await gw.enrolment.registerDevice('dev-codes', 'w-01');
  const second = await gw.enrolment.registerDevice('dev-codes', 'w-01');
  expect(second.code).not.toBe(first.code);
  expect(await codesOf('dev-codes')).toHaveLength(1);
  const refused = await dev.enrol(first.code);
  expect(refused.status).toBe(403);
  expect(refused.body.message).toMatch(/unknown, used, expired, or for another device/);
  expect((await dev.enrol(second.code)).status).toBe(200);
  // The same device, same key, same code again (it crashed before saving its credentials): new credentials, same epoch.
  const again = await dev.enrol(second.code);
  expect(again.status).toBe(200);
  const row = await gw.store.db.selectFrom('devices').select('current_epoch').where('device_id', '=', 'dev-codes').executeTakeFirstOrThrow();
  expect(row.current_epoch).toBe(1);
  // Registered again after enrolling: the used code is no longer the device's, even with its key.
  const third = await gw.enrolment.registerDevice('dev-codes', 'w-01');
  expect((await dev.enrol(second.code)).status).toBe(403);
  expect(await codesOf('dev-codes')).toEqual([{ used_at: expect.any(String) }, { used_at: null }]);
  expect((await dev.enrol(third.code)).status).toBe(200);
});

it('refuses a code of another device, a retired device and a window that does not exist, changing nothing', async () => {
  const mine = await gw.enrolment.registerDevice('dev-mine', 'w-01');
  expect((await new ScriptedDevice('dev-other', 'w-01', gw.httpUrl).enrol(mine.code)).status).toBe(403);
  await gw.enrolment.retire('dev-mine');
  await expect(gw.enrolment.registerDevice('dev-mine', 'w-01')).rejects.toThrow(new RegistryError('retired', 'device dev-mine is retired'));
  await expect(gw.enrolment.registerDevice('dev-nowhere', 'w-404')).rejects.toThrow(/no window w-404/);
  const rows = await gw.store.db.selectFrom('devices').select(['device_id', 'retired']).where('device_id', 'in', ['dev-mine', 'dev-nowhere']).execute();
  expect(rows).toEqual([{ device_id: 'dev-mine', retired: 1 }]);
  expect(await codesOf('dev-mine')).toHaveLength(1);
});

it("the migration names each device's code: its unused one, else the one it last enrolled with", async () => {
  const store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'codes-mig-')), 'gateway.db') });
  try {
    const before = CORE_MIGRATIONS.filter((m) => m.name < '20261204-01-core-devices-enrolment-code');
    await migrateStore(store, before);
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 3600_000).toISOString();
    await store.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '市场监管局', department_id: null, created_at: now }).execute();
    // Rows as the schema before the migration has them (no enrolment_code_hash yet).
    for (const id of ['dev-waiting', 'dev-enrolled', 'dev-never']) {
      await store.db
        .insertInto('devices')
        .values({ device_id: id, window_id: 'w-01', created_at: now } as never)
        .execute();
    }
    await store.db
      .insertInto('enrolment_codes')
      .values([
        { code_hash: 'h-unused', device_id: 'dev-waiting', expires_at: later, used_at: null, used_key_fingerprint: null },
        { code_hash: 'h-old', device_id: 'dev-enrolled', expires_at: now, used_at: '2026-11-01T00:00:00.000Z', used_key_fingerprint: 'f' },
        { code_hash: 'h-last', device_id: 'dev-enrolled', expires_at: later, used_at: '2026-11-20T00:00:00.000Z', used_key_fingerprint: 'f' },
      ])
      .execute();
    // This one, and any that came after it.
    expect(await migrateStore(store, CORE_MIGRATIONS)).toEqual(CORE_MIGRATIONS.filter((m) => !before.includes(m)).map((m) => m.name));
    expect(CORE_MIGRATIONS.filter((m) => !before.includes(m))[0]!.name).toBe('20261204-01-core-devices-enrolment-code');
    const rows = await store.db.selectFrom('devices').select(['device_id', 'enrolment_code_hash']).orderBy('device_id').execute();
    expect(rows).toEqual([
      { device_id: 'dev-enrolled', enrolment_code_hash: 'h-last' },
      { device_id: 'dev-never', enrolment_code_hash: null },
      { device_id: 'dev-waiting', enrolment_code_hash: 'h-unused' },
    ]);
  } finally {
    await store.close();
  }
});
