/**
 * Bad input (issue 2, "Must show" 4): a clear error naming what is wrong, the runtime stays up, and
 * nothing stored is lost — malformed config, unknown badge, a level out of range, reasons not in
 * the catalogue version, and a full store (SQLITE_FULL under the store's size cap).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../device/contract/chain.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { DEMO_STAFF, REPO_ROOT, deviceConfig, startDevice, type RunningDevice } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';

function runWithConfig(config: unknown): { code: number | null; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-badcfg-'));
  const file = join(dir, 'device.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'device/main.ts', '--config', file], { cwd: REPO_ROOT, timeout: 20_000 });
  return { code: r.status, err: r.stderr.toString() };
}

describe('malformed config', () => {
  const good = deviceConfig({ deviceId: 'dev-cfg', dir: '/tmp/unused' });
  it.each([
    ['not JSON', '{ "deviceId": ', /cannot read it as JSON/],
    ['a bad device id', { ...good, deviceId: 'Bad Id!' }, /deviceId: device id must be/],
    ['a missing window number', { ...good, bootstrap: { ...(good.bootstrap as object), window: { id: 'w', department: 'x' } } }, /bootstrap\.window\.number/],
    ['an unknown key', { ...good, locallApi: { port: 1 } }, /locallApi/],
    ['a port out of range', { ...good, localApi: { port: 70000 } }, /localApi\.port/],
    [
      'a badge UID that is not hex',
      { ...good, bootstrap: { ...(good.bootstrap as object), roster: [{ ...DEMO_STAFF, badgeUids: ['XYZ'] }] } },
      /bootstrap\.roster\.0\.badgeUids\.0/,
    ],
    // The optional features' sections are validated with the rest, before anything listens (issue 10, hole 11).
    ['a gateway section without mqttUrl', { ...good, gateway: { url: 'https://gateway.hall.local:8443', enrolmentCode: 'x' } }, /gateway\.mqttUrl: /],
    ['a gateway mqttUrl that is not mqtt://', { ...good, gateway: { url: 'https://gw.local', mqttUrl: 'http://gw.local:1883' } }, /gateway\.mqttUrl: must be mqtt:\/\/host:port/],
    [
      'a gateway CA file that cannot be read',
      { ...good, gateway: { url: 'https://gw.local', mqttUrl: 'mqtts://gw.local:8883', caFile: '/nonexistent/hall-ca.pem' } },
      /gateway\.caFile: cannot read/,
    ],
    ['a hardware section with a bad USB id', { ...good, hardware: { panel: { usb: { vendorId: 'zz', productId: '0042' } } } }, /hardware\.panel\.usb/],
    [
      'a hardware section whose reader the panel cannot have',
      { ...good, hardware: { panel: { firmware: 'standard-firmata' } } },
      /hardware\.nfc\.mode: the panel has no NFC reader/,
    ],
    ['a store retention out of range', { ...good, store: { retainDays: -1 } }, /store\.retainDays/],
  ])('refuses %s with an error naming the field, and no stack trace', (_what, config, message) => {
    const r = runWithConfig(config);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('bad input to a running device', () => {
  let device: RunningDevice;
  beforeAll(async () => {
    device = await startDevice({ deviceId: 'dev-bad', dir: mkdtempSync(join(tmpdir(), 'hcp-bad-')), config: { store: { maxSizeMiB: 0.25 } } });
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
  });
  afterAll(async () => device?.stop());

  it('refuses an unknown badge and keeps the logged-in staff', async () => {
    const r = await device.api('POST', '/api/badge', { uid: 'FFFFFFFFFF' });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'unknown-badge' });
    expect((await device.api('GET', '/api/state')).body.staff.staffId).toBe(DEMO_STAFF.staffId);
    expect((await device.api('POST', '/api/badge', { uid: 'not-hex' })).body.message).toMatch(/uid: badge UID must be/);
  });

  it('refuses levels out of range, naming the field, and stores nothing', async () => {
    await device.api('POST', '/api/invite');
    for (const level of [0, 6, 2.5, '5', null]) {
      const r = await device.api('POST', '/api/rate', { level });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/^level: /);
    }
    expect(readDeviceRecords(device.dataDir)).toHaveLength(0);
    expect((await device.api('GET', '/api/state')).body.screen).toBe('armed');
  });

  it('refuses reasons not in the catalogue version, or of another level, and keeps the rating', async () => {
    const r = await device.api('POST', '/api/rate', { level: 1 });
    expect(r.status).toBe(200);
    for (const [reasons, message] of [
      [[999], /not in catalogue 2020.1/],
      [[213], /belongs to level 2, not 1/],
      [[105], /retired/],
    ] as const) {
      const d = await device.api('POST', '/api/details', { ratingId: r.body.ratingId, reasons });
      expect(d.status).toBe(400);
      expect(d.body.message).toMatch(message);
    }
    expect((await device.api('POST', '/api/details', { ratingId: r.body.ratingId, reasons: [113, 115] })).status).toBe(200);
    expect(readDeviceRecords(device.dataDir).map((x) => x.kind)).toEqual(['rating', 'detail']);
  });

  it('answers a full store with a clear error, stays up, and loses nothing stored', async () => {
    let confirmed = 0;
    let full: { status: number; body: any } | undefined;
    for (let i = 0; i < 5000 && !full; i++) {
      await device.api('POST', '/api/invite');
      const r = await device.api('POST', '/api/rate', { level: 5 });
      if (r.status === 200) confirmed++;
      else full = r;
    }
    expect(full?.status).toBe(507);
    expect(full?.body).toMatchObject({ error: 'storage-full' });
    expect(full?.body.message).toMatch(/store is full: the rating was not saved/);
    // Still up, still armed for the citizen, and everything confirmed is there and verifies.
    expect((await device.api('GET', '/api/state')).body.screen).toBe('armed');
    const records = readDeviceRecords(device.dataDir);
    expect(records.filter((x) => x.kind === 'rating')).toHaveLength(confirmed + 1);
    expect(verifyChain(records, readDevicePublicKey(device.dataDir), { signatures: 'all', deviceId: 'dev-bad' })).toEqual([]);
    expect(device.child.exitCode).toBeNull();
  });
});
