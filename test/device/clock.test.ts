/**
 * Time on the device (issue 10, hole 12). Device clocks are wrong in the field; the device stamps
 * from its wall clock read once at start plus monotonic time, so within a run its error is one
 * constant offset: an NTP step mid-run moves no stamp. Each start is a clock epoch, with the offset
 * to the gateway measured from acks; batches carry `sentAt`, `keyFingerprint` and the clock runs of
 * their records, so the gateway can place records stamped in a run it never saw.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { keyFingerprint } from '../../device/contract/chain.js';
import { RecordBatchSchema, type RatingRecord } from '../../device/contract/index.js';
import { DeviceFileConfigSchema } from '../../device/config/device-config.js';
import { DeviceProgram } from '../../device/device-program.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { DEMO_STAFF, deviceConfig, startDevice, type RunningDevice } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

describe('an NTP step in the middle of a run', () => {
  let program: DeviceProgram | undefined;
  afterEach(async () => {
    await program?.stop();
    vi.useRealTimers();
  });

  it('moves no stamp: records, invitations and events keep the clock the run started with', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const config = DeviceFileConfigSchema.parse(deviceConfig({ deviceId: 'dev-ntp', dir: mkdtempSync(join(tmpdir(), 'hcp-ntp-')), config: { logLevel: 'silent' } }));
    program = new DeviceProgram(config, pino({ level: 'silent' }));
    const startedAt = Date.now();
    await program.start();
    const rt = program.runtime!;
    await rt.submit({ kind: 'badge', uid: DEMO_STAFF.badgeUids[0]!, source: 'test' });
    await rt.submit({ kind: 'please-rate', source: 'test' });
    await rt.submit({ kind: 'press', level: 5, source: 'test' });

    // NTP steps the wall clock an hour ahead, then two hours back.
    vi.setSystemTime(Date.now() + HOUR);
    await rt.submit({ kind: 'please-rate', source: 'test' });
    await rt.submit({ kind: 'press', level: 4, source: 'test' });
    vi.setSystemTime(Date.now() - 2 * HOUR);
    await rt.submit({ kind: 'please-rate', source: 'test' });
    await rt.submit({ kind: 'press', level: 3, source: 'test' });

    const ratings = readDeviceRecords(config.dataDir) as RatingRecord[];
    expect(ratings).toHaveLength(3);
    const ats = ratings.map((r) => Date.parse(r.at));
    // In order, and all within the few seconds this run has really lasted.
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    for (const r of ratings) {
      expect(Math.abs(Date.parse(r.at) - startedAt)).toBeLessThan(10_000);
      expect(Math.abs(Date.parse(r.invitation.invitedAt) - startedAt)).toBeLessThan(10_000);
    }
    const db = new Database(join(config.dataDir, 'device.db'), { readonly: true });
    const events = db.prepare('SELECT at FROM events').all() as Array<{ at: string }>;
    db.close();
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const e of events) expect(Math.abs(Date.parse(e.at) - startedAt)).toBeLessThan(10_000);
  });
});

describe('a device whose clock is years off', () => {
  const ID = 'dev-clock';
  let broker: TestBroker;
  let stub: EnrolStub;
  let device: RunningDevice;
  let dir: string;

  const batches = () => broker.of(ID, 'records').map((b) => RecordBatchSchema.parse(b));
  const rate = async (level: number) => {
    await device.api('POST', '/api/invite');
    expect((await device.api('POST', '/api/rate', { level })).status).toBe(200);
  };
  const epochs = () => {
    const db = new Database(join(device.dataDir, 'device.db'), { readonly: true });
    try {
      return db.prepare('SELECT epoch, first_seq AS firstSeq, offset_ms AS offsetMs FROM clock_epochs ORDER BY epoch').all() as Array<{
        epoch: number;
        firstSeq: number;
        offsetMs: number | null;
      }>;
    } finally {
      db.close();
    }
  };
  const start = (skewMs: number) =>
    startDevice({ deviceId: ID, dir, env: { HCP_CLOCK_SKEW_MS: String(skewMs) }, config: { gateway: { url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-clock' } } });

  beforeAll(async () => {
    broker = await TestBroker.start({ ack: true });
    stub = await EnrolStub.start();
    dir = mkdtempSync(join(tmpdir(), 'hcp-clock-'));
  });
  afterAll(async () => {
    await device?.stop();
    await broker?.close();
    await stub?.close();
  });

  it('stamps two years ahead, sends sentAt, keyFingerprint and its clock run, and measures its offset from acks', async () => {
    device = await start(2 * YEAR);
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    await rate(5);
    await broker.waitFor(() => batches().length >= 1 && broker.of(ID, 'status').some((s) => s.clockOffsetMs !== undefined));
    const [first] = batches();
    const ahead = (iso: string) => Date.parse(iso) - Date.now();
    expect(ahead(first!.records[0]!.at)).toBeGreaterThan(2 * YEAR - 60_000);
    expect(ahead(first!.records[0]!.at)).toBeLessThan(2 * YEAR + 60_000);
    expect(ahead((first!.records[0] as RatingRecord).invitation.invitedAt)).toBeGreaterThan(2 * YEAR - 60_000);
    expect(ahead(first!.sentAt!)).toBeGreaterThan(2 * YEAR - 60_000);
    expect(first!.keyFingerprint).toBe(keyFingerprint(readDevicePublicKey(device.dataDir).export({ type: 'spki', format: 'pem' }).toString()));
    expect(first!.clocks).toEqual([{ fromSeq: 1, current: true, offsetMs: null }]);

    // The ack's gatewayTime gives the offset: about +2 years, kept in the epoch and reported in the status.
    const status = broker
      .of(ID, 'status')
      .filter((s) => s.clockOffsetMs !== undefined)
      .at(-1);
    expect(Math.abs(status.clockOffsetMs - 2 * YEAR)).toBeLessThan(60_000);
    await rate(4);
    await broker.waitFor(() => batches().length >= 2);
    expect(batches()[1]!.clocks).toEqual([{ fromSeq: 2, current: true, offsetMs: expect.any(Number) }]);
    expect(Math.abs(batches()[1]!.clocks![0]!.offsetMs! - 2 * YEAR)).toBeLessThan(60_000);
    expect(epochs()).toEqual([{ epoch: 1, firstSeq: 1, offsetMs: expect.any(Number) }]);
  });

  it('after a restart at 1970, a batch names both runs: the earlier with its measured offset, the current one', async () => {
    // The gateway stops acking: record 3 stays unacknowledged in this run.
    broker.acking = false;
    await rate(3);
    await broker.waitFor(() => batches().some((b) => b.records.some((r) => r.seq === 3)));
    await device.stop();

    const sentBefore = batches().length;
    // A dead RTC battery: the device boots at 1970 (the staff is still logged in), offline for a while.
    broker.down = true;
    device = await start(-Date.now());
    await rate(2);
    broker.acking = true;
    broker.down = false;
    await broker.waitFor(() =>
      batches()
        .slice(sentBefore)
        .some((b) => b.records.some((r) => r.seq === 4)),
    );
    const batch = batches()
      .slice(sentBefore)
      .find((b) => b.records.some((r) => r.seq === 4))!;
    const r4 = batch.records.find((r) => r.seq === 4)!;
    expect(Date.parse(r4.at)).toBeLessThan(60_000); // 1970-01-01, the first minute
    expect(batch.records.map((r) => r.seq)).toEqual([3, 4]);
    expect(batch.clocks).toEqual([
      { fromSeq: 3, current: false, offsetMs: expect.any(Number) },
      { fromSeq: 4, current: true, offsetMs: null },
    ]);
    expect(Math.abs(batch.clocks![0]!.offsetMs! - 2 * YEAR)).toBeLessThan(60_000);
    expect(Date.parse(batch.sentAt!)).toBeLessThan(60_000);

    // Acked now: the 1970 run's offset is measured too (about minus the time since 1970).
    await broker.waitFor(() => epochs()[1]?.offsetMs != null);
    expect(epochs().map((e) => e.firstSeq)).toEqual([1, 4]);
    expect(Math.abs(epochs()[1]!.offsetMs! + Date.now())).toBeLessThan(60_000);
  });

  it('refuses a malformed HCP_CLOCK_SKEW_MS at start, naming it', async () => {
    await expect(startDevice({ deviceId: 'dev-skew-bad', dir: mkdtempSync(join(tmpdir(), 'hcp-skew-')), env: { HCP_CLOCK_SKEW_MS: '2 years' } })).rejects.toThrow(
      /HCP_CLOCK_SKEW_MS: must be a whole number/,
    );
  });
});
