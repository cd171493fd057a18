/**
 * A bundle is cut into the same batches a device publishes over MQTT (at most 500 records, under the
 * payload limit, at most 64 clock runs, each batch naming the run its first record was stamped in),
 * and a large bundle — weeks of a busy window, more records than one batch — is stored whole, once.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_RECORDS, MAX_PAYLOAD_BYTES, RecordBatchSchema, type ChainRecord, type RatingRecord } from '@hcp/contract';
import type { VillageBundle } from '@hcp/contract/village-bundle';
import { exportBundle } from '../../device/bundle/bundle-export.js';
import { ChainStore, type NewRecord } from '../../device/store/chain-store.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import type { Gateway } from '../../gateway/gateway.js';
import { toBatches } from '../../gateway/village/bundle-import.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { DrillClock, VillageDevice, makeHallTls, startVillageGateway, tmp, villageOf } from './village-world.js';

let gw: Gateway | undefined;
let dev: VillageDevice | undefined;
let clock: DrillClock;
afterAll(async () => {
  await dev?.stop();
  await gw?.stop();
});

/** A bundle-shaped list of n records with clock runs every `runEvery` seqs (only the split reads them). */
function fakeBundle(template: RatingRecord, n: number, runEvery: number): VillageBundle {
  const records = Array.from({ length: n }, (_, i) => ({ ...template, seq: i + 1, id: uuidv7() }) as ChainRecord);
  const clocks = Array.from({ length: Math.ceil(n / runEvery) }, (_, i) => ({ fromSeq: i * runEvery + 1, current: false, offsetMs: i }));
  return { deviceId: template.deviceId, keyFingerprint: 'f'.repeat(64), records, clocks } as unknown as VillageBundle;
}

describe('village bundles in MQTT-sized batches', () => {
  it('cut within every MQTT limit, each batch naming the clock runs of its records', async () => {
    const dir = tmp('hcp-village-batches-');
    clock = new DrillClock(Date.parse('2025-05-12T09:00:00+08:00'));
    const tls = makeHallTls(join(dir, 'tls'));
    gw = await startVillageGateway({ dir, clock, tls });
    const g = gw;
    const { code } = await g.enrolment.registerDevice('dev-busy', 'w-01');
    dev = new VillageDevice('dev-busy', join(dir, 'device'), clock, { url: g.httpUrl, mqttUrl: `mqtt://127.0.0.1:${g.mqttPort}`, enrolmentCode: code, caFile: tls.caFile });
    await dev.start(true);
    expect(
      await waitUntil(async () => (await g.store.db.selectFrom('devices').select('online').where('device_id', '=', 'dev-busy').executeTakeFirst())?.online === 1, 15_000),
    ).toBe(true);
    await dev.stop();
    await dev.start(false);
    await dev.rate('BUSY-0', 5);
    const template = dev.program!.store!.nextBatch(1)[0] as RatingRecord;

    const split = toBatches(fakeBundle(template, 1700, 20));
    expect(split.map((b) => b.records.length)).toEqual([500, 500, 500, 200]);
    const seqs = split.flatMap((b) => b.records.map((r) => r.seq));
    expect(seqs).toEqual(Array.from({ length: 1700 }, (_, i) => i + 1));
    for (const b of split) {
      expect(RecordBatchSchema.safeParse(b).success).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThan(MAX_PAYLOAD_BYTES);
      expect(b.clocks![0]!.fromSeq).toBe(b.records[0]!.seq);
      expect(b.clocks![0]!.offsetMs).toBe(Math.floor((b.records[0]!.seq - 1) / 20));
    }
    // Many short runs of the program: a batch names at most 64 of them.
    const runs = toBatches(fakeBundle(template, 400, 3));
    expect(runs.length).toBeGreaterThan(1);
    for (const b of runs) expect(b.clocks!.length).toBeLessThanOrEqual(64);

    // A real bundle of more records than one batch holds: stored whole, once.
    await dev.stop();
    const db = openDeviceDatabase(join(dev.config.dataDir, 'device.db'));
    const store = new ChainStore(db, 'dev-busy', createPrivateKey(readFileSync(join(dev.config.dataDir, 'device-key.pem'))), () => clock.t);
    const { seq: _s, prevHash: _p, deviceId: _d, hash: _h, sig: _g, ...shape } = template;
    db.transaction(() => {
      for (let i = 0; i < MAX_BATCH_RECORDS * 2 + 150; i++)
        store.append({ ...shape, id: uuidv7(), invitation: { ...shape.invitation, id: uuidv7(), caseNo: `BUSY-${i + 1}` } } as NewRecord);
    })();
    db.close();
    const out = exportBundle({ dataDir: dev.config.dataDir, deviceId: 'dev-busy', outDir: join(dir, 'usb'), now: () => clock.t });
    if (!out.written) throw new Error(out.reason);
    expect(out.bundle.records).toBe(1151);
    const r = await villageOf(g).importer.import(readFileSync(out.file, 'utf8'));
    expect(r.ok && r.summary).toMatchObject({ records: 1151, stored: 1151, alreadyStored: 0, rejected: {}, committedThroughSeq: 1151 });
    const stored = await g.store.db.selectFrom('records').select('seq').where('device_id', '=', 'dev-busy').orderBy('seq').execute();
    expect(stored.map((x) => x.seq)).toEqual(Array.from({ length: 1151 }, (_, i) => i + 1));
  }, 90_000);

  it("cuts by the payload's bytes, not its characters: 500 details with long Chinese comments are more than one payload", () => {
    // Each detail's comment is 500 characters and 1,500 bytes: by characters 500 of them fit under the limit, by bytes they do not.
    const detail = longDetail('dev-busy', uuidv7());
    const records = Array.from({ length: 1200 }, (_, i) => ({ ...detail, seq: i + 1, id: uuidv7() }) as ChainRecord);
    expect(500 * JSON.stringify(detail).length).toBeLessThan(MAX_PAYLOAD_BYTES - 64 * 1024);
    const split = toBatches({ deviceId: 'dev-busy', keyFingerprint: 'f'.repeat(64), records, clocks: [{ fromSeq: 1, current: false, offsetMs: 0 }] } as unknown as VillageBundle);
    expect(split.flatMap((b) => b.records.map((r) => r.seq))).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(split[0]!.records.length).toBeLessThan(MAX_BATCH_RECORDS);
    for (const b of split) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it("sends a device's backlog of long Chinese comments over MQTT in batches within the payload limit, all stored", async () => {
    const g = gw!;
    await dev!.stop();
    const db = openDeviceDatabase(join(dev!.config.dataDir, 'device.db'));
    const store = new ChainStore(db, 'dev-busy', createPrivateKey(readFileSync(join(dev!.config.dataDir, 'device-key.pem'))), () => clock.t);
    const template = store.nextBatch(1, 0)[0] as RatingRecord;
    const { id: _i, deviceId: _d, seq: _s, prevHash: _p, hash: _h, sig: _g, ...rating } = template;
    // What the bundle carried is stored: the device's backlog is the new records alone.
    store.markAcknowledged(store.headSeq(), new Date(clock.t));
    const from = store.headSeq() + 1;
    db.transaction(() => {
      // Ratings and their 差评's details with every text at the contract's longest.
      for (let i = 0; i < 300; i++) {
        const r = store.append({
          ...rating,
          id: uuidv7(),
          invitation: { ...rating.invitation, id: uuidv7(), caseNo: 'C'.repeat(50), itemCode: 'I'.repeat(64), itemName: LONG_ITEM_NAME },
        } as NewRecord);
        const { id: _di, deviceId: _dd, seq: _ds, prevHash: _dp, hash: _dh, sig: _dg, ...detail } = longDetail('dev-busy', r.id);
        store.append({ ...detail, id: uuidv7() } as NewRecord);
      }
    })();
    const head = store.headSeq();
    // 500 of them are more bytes than a payload holds.
    const backlog = store.nextBatch(MAX_BATCH_RECORDS, from - 1);
    expect(Buffer.byteLength(JSON.stringify(backlog))).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    db.close();
    // The device's own batch size (the contract's 500 records) and no more bytes than a payload holds.
    await dev!.start(true);
    const storedThrough = async () =>
      Number(
        (
          await g.store.db
            .selectFrom('records')
            .select((e) => e.fn.max('seq').as('seq'))
            .where('device_id', '=', 'dev-busy')
            .executeTakeFirst()
        )?.seq ?? 0,
      );
    expect(await waitUntil(async () => (await storedThrough()) === head, 30_000)).toBe(true);
  }, 60_000);
});

/** An item's name of 200 characters (the contract's longest), 600 bytes. */
const LONG_ITEM_NAME = '不动产登记及房屋交易税费一窗受理并联办理'.repeat(10).slice(0, 200);

/** A detail for a 差评 with every text at the contract's longest: a 500-character comment, a sealed contact (the hash and signature are not checked by the split). */
function longDetail(deviceId: string, ratingId: string): ChainRecord {
  return {
    kind: 'detail',
    id: uuidv7(),
    deviceId,
    seq: 1,
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    sig: 'A'.repeat(86),
    at: '2025-05-12T09:30:00.000+08:00',
    ratingId,
    reasons: [101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116],
    comment: '窗口工作人员态度生硬办事拖拉'.repeat(36).slice(0, 500),
    contact: { alg: 'x25519-aes256gcm', keyId: 'K'.repeat(64), epk: 'B'.repeat(200), iv: 'C'.repeat(64), ct: 'D'.repeat(400), tag: 'E'.repeat(64) },
  } as ChainRecord;
}
