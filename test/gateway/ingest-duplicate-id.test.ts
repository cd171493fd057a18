/**
 * A record id already stored for another record — a replay under another device's chain, or a
 * forgery — stops that batch just before it (`duplicate-id`), whether the other record was stored
 * earlier or is in the same group commit. Ingest writes a group's records at its end, in one
 * insert; the last case shows a group still sees its own earlier batches' ids, refusing the one record instead of failing the
 * group's commit and falling back batch by batch. The insert itself finds a stored id, on both
 * stores (ingest-queue.ts, IdAlreadyStored): the group then runs again, the other batches in it
 * commit. test:pg runs this file on PostgreSQL.
 */
import type { BatchAck, ChainRecord, UnsignedRecord } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { COPY_FROM_ROWS } from '../../gateway/ingest/records-insert.js';
import { CopyData } from '../../gateway/store/copy-text.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { testStoreIsPostgres } from '../support/pg-cluster.js';
import { enrolledDevice, type ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
const logs: string[] = [];
const devices: ScriptedDevice[] = [];
beforeAll(async () => {
  gw = await startInProcessGateway({ logLines: logs });
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

/** `dev`'s next rating, carrying `id`: signed with its own key, so only the id is wrong. */
function ratingWithId(dev: ScriptedDevice, id: string): ChainRecord {
  const before = dev.head;
  const { hash: _h, sig: _s, ...unsigned } = dev.rating(5);
  dev.head = before;
  return dev.seal({ ...(unsigned as UnsignedRecord), id });
}

function batch(dev: ScriptedDevice, records: ChainRecord[]): { batchId: string; payload: Buffer } {
  const batchId = uuidv7();
  const body = { batchId, deviceId: dev.deviceId, records, sentAt: new Date().toISOString(), keyFingerprint: keyFingerprint(dev.publicKeyPem) };
  return { batchId, payload: Buffer.from(JSON.stringify(body)) };
}

const ackOf = (dev: ScriptedDevice, batchId: string) => waitFor(() => dev.acks.find((a) => a.batchId === batchId), { what: `the ack of ${dev.deviceId}` });
const storedIds = async (deviceId: string) => (await gw.store.db.selectFrom('records').select('id').where('device_id', '=', deviceId).orderBy('seq').execute()).map((r) => r.id);

describe('a record id stored for another record', () => {
  it('stops the batch just before it when the other record was stored earlier', async () => {
    const a = await device('dev-dup-a');
    const b = await device('dev-dup-b');
    const taken = a.rating(4);
    expect((await a.send([taken])).committedThroughSeq).toBe(1);
    const own = b.rating(5);
    const replay = ratingWithId(b, taken.id);
    const ack: BatchAck = await b.send([own, replay]);
    expect(ack.committedThroughSeq).toBe(1);
    expect(ack.rejected.map((r) => [r.seq, r.code])).toEqual([[2, 'duplicate-id']]);
    expect(await storedIds('dev-dup-b')).toEqual([own.id]);
  });

  it('stops it in a group of other batches too: they commit with it, and what the group logs is logged once', async () => {
    // On SQLite the insert finds the stored id and the group runs again with every id looked up:
    // the other device's batch (with a gap, which is logged) must neither wait for a resend nor be
    // logged twice.
    const a = await device('dev-dup-e');
    const b = await device('dev-dup-f');
    const c = await device('dev-dup-g');
    const taken = a.rating(4);
    expect((await a.send([taken])).committedThroughSeq).toBe(1);
    const own = b.rating(5);
    const fromB = batch(b, [own, ratingWithId(b, taken.id)]);
    const first = c.rating(2);
    c.rating(3); // never sent: c's batch has a gap after `first`
    const fromC = batch(c, [first, c.rating(4)]);
    await Promise.all([gw.ingest.submit(b.deviceId, fromB.payload), gw.ingest.submit(c.deviceId, fromC.payload)]);
    const ackB = await ackOf(b, fromB.batchId);
    expect([ackB.committedThroughSeq, ackB.rejected.map((r) => [r.seq, r.code])]).toEqual([1, [[2, 'duplicate-id']]]);
    const ackC = await ackOf(c, fromC.batchId);
    expect([ackC.committedThroughSeq, ackC.rejected.map((r) => [r.seq, r.code])]).toEqual([1, [[3, 'chain-gap']]]);
    expect(await storedIds('dev-dup-f')).toEqual([own.id]);
    expect(await storedIds('dev-dup-g')).toEqual([first.id]);
    expect(logs.filter((l) => l.includes('chain gap') && l.includes('dev-dup-g'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('group commit failed'))).toEqual([]);
  });

  it('stops it in a group large enough to go in by COPY on PostgreSQL, and the group commits', async () => {
    // COPY has no ON CONFLICT: the stored id fails the COPY, and the group must run again with
    // every id looked up, not fall back batch by batch.
    const a = await device('dev-dup-h');
    const b = await device('dev-dup-i');
    const c = await device('dev-dup-j');
    const taken = a.rating(4);
    expect((await a.send([taken])).committedThroughSeq).toBe(1);
    const own = Array.from({ length: COPY_FROM_ROWS }, () => b.rating(5));
    const fromB = batch(b, [...own, ratingWithId(b, taken.id), b.rating(3)]);
    const fromC = batch(
      c,
      Array.from({ length: 10 }, () => c.rating(4)),
    );
    await Promise.all([gw.ingest.submit(b.deviceId, fromB.payload), gw.ingest.submit(c.deviceId, fromC.payload)]);
    const ackB = await ackOf(b, fromB.batchId);
    const next = COPY_FROM_ROWS + 1;
    expect([ackB.committedThroughSeq, ackB.rejected.map((r) => [r.seq, r.code])]).toEqual([
      COPY_FROM_ROWS,
      [
        [next, 'duplicate-id'],
        [next + 1, 'chain-gap'],
      ],
    ]);
    expect((await ackOf(c, fromC.batchId)).committedThroughSeq).toBe(10);
    expect(await storedIds('dev-dup-i')).toEqual(own.map((r) => r.id));
    expect(await storedIds('dev-dup-j')).toHaveLength(10);
    expect(logs.filter((l) => l.includes('group commit failed'))).toEqual([]);
  });

  it.runIf(testStoreIsPostgres())('writes each COPY into the bytes of the one before, and a COPY that failed into new ones', async () => {
    // The buffer itself is the ingest queue's own (ingest-queue.ts, copyData): what docs/POSTGRES.md,
    // "The COPY data's bytes, used again", says of it is read here.
    const buffer = () => (gw.ingest as unknown as { copyData: unknown }).copyData;
    const a = await device('dev-dup-k');
    const b = await device('dev-dup-l');
    expect((await b.send(Array.from({ length: COPY_FROM_ROWS }, () => b.rating(5)))).committedThroughSeq).toBe(COPY_FROM_ROWS);
    const first = buffer();
    expect(first).toBeInstanceOf(CopyData);
    expect((await b.send(Array.from({ length: COPY_FROM_ROWS }, () => b.rating(4)))).committedThroughSeq).toBe(2 * COPY_FROM_ROWS);
    expect(buffer()).toBe(first);
    const taken = a.rating(4);
    expect((await a.send([taken])).committedThroughSeq).toBe(1);
    const own = Array.from({ length: COPY_FROM_ROWS }, () => b.rating(3));
    const failing = batch(b, [...own, ratingWithId(b, taken.id)]);
    await gw.ingest.submit(b.deviceId, failing.payload);
    expect((await ackOf(b, failing.batchId)).committedThroughSeq).toBe(3 * COPY_FROM_ROWS);
    expect(buffer()).toBeInstanceOf(CopyData);
    expect(buffer()).not.toBe(first);
  });

  it('stops it too when the other record is in the same group commit, and the group commits', async () => {
    const a = await device('dev-dup-c');
    const b = await device('dev-dup-d');
    const first = a.rating(3);
    const own = b.rating(5);
    const replay = ratingWithId(b, first.id);
    const fromA = batch(a, [first]);
    const fromB = batch(b, [own, replay]);
    // Submitted in one turn of the event loop: the queue takes both into one group.
    const decided = Promise.all([gw.ingest.submit(a.deviceId, fromA.payload), gw.ingest.submit(b.deviceId, fromB.payload)]);
    await decided;
    expect((await ackOf(a, fromA.batchId)).committedThroughSeq).toBe(1);
    const ack = await ackOf(b, fromB.batchId);
    expect(ack.committedThroughSeq).toBe(1);
    expect(ack.rejected.map((r) => [r.seq, r.code])).toEqual([[2, 'duplicate-id']]);
    expect(await storedIds('dev-dup-c')).toEqual([first.id]);
    expect(await storedIds('dev-dup-d')).toEqual([own.id]);
    expect(logs.filter((l) => l.includes('group commit failed'))).toEqual([]);
  });
});
