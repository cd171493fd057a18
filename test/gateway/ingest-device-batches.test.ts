/**
 * A device catching up keeps several batches in flight (device/sync, maxInFlight). Those of its
 * batches that are checked by the time a group starts commit in that one group, in the order they
 * came: one commit for several batches (docs/POSTGRES.md, "A device's batches in one group"). A
 * batch whose check is not done holds the device's later batches back for the next group, and a
 * resend of a batch in the same group as the batch itself finds its records among the group's own
 * and is acknowledged, not refused as a fork. test:pg runs this file on PostgreSQL.
 */
import type { BatchAck, ChainRecord } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { checkBatch, type CheckResult } from '../../gateway/ingest/batch-check.js';
import type { BatchChecker } from '../../gateway/ingest/batch-check-pool.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { enrolledDevice, type ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
const devices: ScriptedDevice[] = [];
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await gw?.stop();
});

async function device(id: string): Promise<ScriptedDevice> {
  const dev = await enrolledDevice(gw, id);
  devices.push(dev);
  return dev;
}

function batch(dev: ScriptedDevice, records: ChainRecord[], batchId = uuidv7()): { batchId: string; payload: Buffer } {
  const body = { batchId, deviceId: dev.deviceId, records, sentAt: new Date().toISOString(), keyFingerprint: keyFingerprint(dev.publicKeyPem) };
  return { batchId, payload: Buffer.from(JSON.stringify(body)) };
}

const ratings = (dev: ScriptedDevice, n: number) => Array.from({ length: n }, () => dev.rating(4));
const ackOf = (dev: ScriptedDevice, batchId: string) => waitFor(() => dev.acks.find((a) => a.batchId === batchId), { what: `the ack of ${batchId}` });
const storedSeqs = async (deviceId: string) =>
  (await gw.store.db.selectFrom('records').select('seq').where('device_id', '=', deviceId).orderBy('seq').execute()).map((r) => Number(r.seq));
const rejectedOf = (ack: BatchAck) => ack.rejected.map((r) => [r.seq, r.code]);

describe("a device's batches in one group", () => {
  it('commits the checked batches of one device in one group, and a resend among them as a resend', async () => {
    const dev = await device('dev-many-a');
    const first = batch(dev, ratings(dev, 3));
    const second = ratings(dev, 2);
    const sent = batch(dev, second);
    const third = batch(dev, ratings(dev, 4));
    // The device's ack timeout ran out for `sent`: the same records again, under a new batch id.
    const resent = batch(dev, second);
    const groupsBefore = gw.ingest.phases.groups;
    // Submitted in one turn: small batches are checked in place, so every one is checked by the time the group starts.
    await Promise.all([first, sent, third, resent].map((b) => gw.ingest.submit(dev.deviceId, b.payload)));
    expect(gw.ingest.phases.groups - groupsBefore).toBe(1);
    for (const b of [first, sent, third]) expect(rejectedOf(await ackOf(dev, b.batchId))).toEqual([]);
    const again = await ackOf(dev, resent.batchId);
    expect([again.committedThroughSeq, rejectedOf(again)]).toEqual([9, []]);
    expect(await storedSeqs(dev.deviceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('holds back the batches after one still being checked, and commits them in order in the next group', async () => {
    const dev = await device('dev-many-b');
    const batches = [batch(dev, ratings(dev, 2)), batch(dev, ratings(dev, 3)), batch(dev, ratings(dev, 2))];
    // A checker the test answers by hand, with the real checks' results.
    const asked: Array<{ payload: Buffer; answer: (r: CheckResult) => void }> = [];
    const checker: BatchChecker = {
      check: (_deviceId, payload) => new Promise((answer) => asked.push({ payload, answer })),
      close: async () => undefined,
    };
    const answer = (i: number) => asked[i]!.answer(checkBatch(dev.deviceId, asked[i]!.payload, Date.now()));
    const acks: BatchAck[] = [];
    const groups: number[] = [];
    const queue = new IngestQueue(
      gw.store,
      { now: () => Date.now() },
      pino({ level: 'silent' }),
      {
        ack: (_d, a) => acks.push(a),
        refused: (_d, why) => {
          throw new Error(why);
        },
        stored: (_d, count) => groups.push(count),
      },
      checker,
    );
    const decided = batches.map((b) => queue.submit(dev.deviceId, b.payload));
    expect(asked).toHaveLength(3);
    // The first and the third are checked, the second not yet: the first group takes the first alone.
    answer(0);
    answer(2);
    await decided[0];
    expect(groups).toEqual([2]);
    answer(1);
    await Promise.all(decided);
    expect(groups).toEqual([2, 5]);
    expect(acks.map((a) => [a.batchId, a.committedThroughSeq, rejectedOf(a)])).toEqual([
      [batches[0]!.batchId, 2, []],
      [batches[1]!.batchId, 5, []],
      [batches[2]!.batchId, 7, []],
    ]);
    expect(await storedSeqs(dev.deviceId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
