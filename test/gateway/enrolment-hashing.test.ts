/**
 * Enrolling makes the device's password hash (scrypt, tens of milliseconds of CPU) once, and only
 * for a code that is good: a wrong code costs no hash (gateway/enrolment/enrolment.ts).
 * node:crypto is wrapped to count both forms of scrypt.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { verifySecretAsync } from '../../gateway/store/secrets.js';
import { testStoreIsPostgres } from '../support/pg-cluster.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

const calls = vi.hoisted(() => ({ sync: 0, async: 0 }));
/** Whether a write transaction was open at each synchronous hash, when a test sets `probe`. */
const during = vi.hoisted(() => ({ probe: null as null | (() => boolean), inWrite: [] as boolean[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const scryptSync: typeof crypto.scryptSync = (...a: Parameters<typeof crypto.scryptSync>) => {
    calls.sync++;
    if (during.probe) during.inWrite.push(during.probe());
    return crypto.scryptSync(...a);
  };
  const scrypt = ((...a: unknown[]) => {
    calls.async++;
    (crypto.scrypt as (...b: unknown[]) => void)(...a);
  }) as typeof crypto.scrypt;
  return { ...crypto, scryptSync, scrypt };
});

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());
beforeEach(() => {
  calls.sync = 0;
  calls.async = 0;
});

it('hashes the new password once, and the password it answers matches the stored hash', async () => {
  const device = new ScriptedDevice('dev-hash-01', 'w-01', gw.httpUrl);
  const { code } = await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const answer = await device.enrol(code);
  expect(answer.status).toBe(200);
  expect(calls).toEqual({ sync: 1, async: 0 });
  const row = await gw.store.db.selectFrom('devices').select('mqtt_password_hash').where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
  expect(await verifySecretAsync(answer.body.password as string, row.mqtt_password_hash!)).toBe(true);
});

it('makes no hash at all for a wrong code, and changes nothing', async () => {
  const device = new ScriptedDevice('dev-hash-02', 'w-01', gw.httpUrl);
  await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const answer = await device.enrol('AAAA-BBBB-CCCC');
  expect(answer.status).toBe(403);
  expect(answer.body.message).toMatch(/enrolment code is unknown, used, expired, or for another device/);
  expect(calls).toEqual({ sync: 0, async: 0 });
  const row = await gw.store.db.selectFrom('devices').select(['mqtt_password_hash', 'current_epoch']).where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
  expect(row).toEqual({ mqtt_password_hash: null, current_epoch: 0 });
});

// docs/POSTGRES.md: the write does not hold SQLite's write turn (or PostgreSQL's locks) through the
// hash. Shown on SQLite, whose one connection says whether a transaction is open.
it.skipIf(testStoreIsPostgres())('makes the hash outside the write transaction', async () => {
  const sqlite = gw.store.sqlite!;
  during.probe = () => sqlite.inTransaction;
  try {
    const device = new ScriptedDevice('dev-hash-03', 'w-01', gw.httpUrl);
    const { code } = await gw.enrolment.registerDevice(device.deviceId, 'w-01');
    expect((await device.enrol(code)).status).toBe(200);
  } finally {
    during.probe = null;
  }
  expect(during.inWrite).toEqual([false]);
});
