/**
 * A device's MQTT password is a secret the gateway made (192 random bits): it is stored as its
 * SHA-256, so enrolling and logging in make no scrypt (tens of milliseconds of CPU and a 16 MiB
 * buffer each; gateway/store/secrets.ts). A device enrolled when passwords were stored scrypt-hashed
 * still logs in, once with scrypt, and its row is then stored as SHA-256.
 * node:crypto is wrapped to count both forms of scrypt.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { DeviceLogin } from '../../gateway/enrolment/device-login.js';
import type { Gateway } from '../../gateway/gateway.js';
import { hashSecret, verifySecretAsync } from '../../gateway/store/secrets.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

const calls = vi.hoisted(() => ({ sync: 0, async: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const scryptSync: typeof crypto.scryptSync = (...a: Parameters<typeof crypto.scryptSync>) => {
    calls.sync++;
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

const storedHash = async (deviceId: string) =>
  (await gw.store.db.selectFrom('devices').select('mqtt_password_hash').where('device_id', '=', deviceId).executeTakeFirstOrThrow()).mqtt_password_hash!;

it('enrols and logs in with no scrypt, and the password it answers matches the stored SHA-256', async () => {
  const device = new ScriptedDevice('dev-hash-01', 'w-01', gw.httpUrl);
  const { code } = await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const answer = await device.enrol(code);
  expect(answer.status).toBe(200);
  const stored = await storedHash(device.deviceId);
  expect(stored).toMatch(/^sha256\$[A-Za-z0-9+/]{43}=$/);
  expect(await verifySecretAsync(answer.body.password as string, stored)).toBe(true);
  expect(await verifySecretAsync(`${answer.body.password as string}x`, stored)).toBe(false);
  await device.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  await device.close();
  expect(calls).toEqual({ sync: 0, async: 0 });
});

it('refuses a wrong code and changes nothing', async () => {
  const device = new ScriptedDevice('dev-hash-02', 'w-01', gw.httpUrl);
  await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const answer = await device.enrol('AAAA-BBBB-CCCC');
  expect(answer.status).toBe(403);
  expect(answer.body.message).toMatch(/enrolment code is unknown, used, expired, or for another device/);
  const row = await gw.store.db.selectFrom('devices').select(['mqtt_password_hash', 'current_epoch']).where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
  expect(row).toEqual({ mqtt_password_hash: null, current_epoch: 0 });
});

it('logs in a device whose password was stored scrypt-hashed once with scrypt, and stores it as SHA-256', async () => {
  const device = new ScriptedDevice('dev-hash-03', 'w-01', gw.httpUrl);
  const { code } = await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const password = (await device.enrol(code)).body.password as string;
  // As a gateway before SHA-256 stored it.
  await gw.store.db
    .updateTable('devices')
    .set({ mqtt_password_hash: hashSecret(password) })
    .where('device_id', '=', device.deviceId)
    .execute();
  calls.sync = 0;

  await device.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  await device.close();
  expect(calls).toEqual({ sync: 0, async: 1 });
  const stored = await storedHash(device.deviceId);
  expect(stored).toMatch(/^sha256\$/);
  expect(await verifySecretAsync(password, stored)).toBe(true);

  // A gateway started again remembers no login: this one checks the new form, with no scrypt.
  const fresh = new DeviceLogin(gw.store, { now: () => Date.now() }, false);
  expect(await fresh.check(device.deviceId, password)).toEqual({ ok: true });
  expect(await fresh.check(device.deviceId, `${password}x`)).toEqual({ ok: false, why: 'wrong-password' });
  expect(calls).toEqual({ sync: 0, async: 1 });
});

it('keeps a wrong password out of an old scrypt row, and leaves the row as it was', async () => {
  const device = new ScriptedDevice('dev-hash-04', 'w-01', gw.httpUrl);
  const { code } = await gw.enrolment.registerDevice(device.deviceId, 'w-01');
  const password = (await device.enrol(code)).body.password as string;
  const old = hashSecret(password);
  await gw.store.db.updateTable('devices').set({ mqtt_password_hash: old }).where('device_id', '=', device.deviceId).execute();
  const login = new DeviceLogin(gw.store, { now: () => Date.now() }, false);
  expect(await login.check(device.deviceId, `${password}x`)).toEqual({ ok: false, why: 'wrong-password' });
  expect(await storedHash(device.deviceId)).toBe(old);
});
