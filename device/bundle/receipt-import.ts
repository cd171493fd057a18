/**
 * Import a gateway's receipt for a bundle (issue 13, the village path; docs/VILLAGE.md): after its
 * checks, the device's ack mark moves to what the gateway stored, exactly as an MQTT ack moves it,
 * so those records are never sent again (nor put in the next bundle). Safe while the device program
 * runs (one small write in WAL mode) and harmless when repeated or old: the mark only moves forward.
 *
 * Checked before anything changes: the receipt is this device's, for this enrolment (key), signed
 * by a gateway certified by the hall CA in the device's config (`gateway.caFile`), and the gateway's
 * hash at the seq it acknowledges is this device's own record there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeZodError } from '../contract/index.js';
import { VillageReceiptSchema, receiptProblem } from '../contract/village-bundle.js';
import { ChainStore } from '../store/chain-store.js';
import { openDeviceDatabase } from '../store/database.js';
import { readDeviceKeyPair } from './bundle-export.js';

export interface ReceiptImportOptions {
  dataDir: string;
  deviceId: string;
  /** The hall CA (the device config's gateway.caFile); without it no receipt can be trusted. */
  caFile: string | undefined;
  file: string;
  now?: () => number;
}

export type ReceiptImportResult =
  | { ok: true; ackedBefore: number; ackedNow: number; newlyAcknowledged: number; markedRejected: number; backlog: number }
  | { ok: false; problem: string };

export function importReceipt(o: ReceiptImportOptions): ReceiptImportResult {
  const refuse = (problem: string): ReceiptImportResult => ({ ok: false, problem });
  if (!o.caFile) {
    return refuse(
      'this device has no gateway.caFile (the hall CA) in its config: it cannot tell its gateway’s receipt from a forged one. Nothing changed; the device learns what was stored at its next connection',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(o.file, 'utf8'));
  } catch (err) {
    return refuse(`cannot read ${o.file} as JSON: ${(err as Error).message}`);
  }
  const parsed = VillageReceiptSchema.safeParse(raw);
  if (!parsed.success) return refuse(`not a receipt: ${describeZodError(parsed.error)}`);
  const receipt = parsed.data;
  if (receipt.deviceId !== o.deviceId) return refuse(`this receipt is for device ${receipt.deviceId}, not ${o.deviceId}`);
  const key = readDeviceKeyPair(o.dataDir);
  if (receipt.keyFingerprint !== key.fingerprint) {
    return refuse(`this receipt is for another enrolment of ${o.deviceId} (key ${receipt.keyFingerprint.slice(0, 12)}…, this device's is ${key.fingerprint.slice(0, 12)}…)`);
  }
  const bad = receiptProblem(receipt, readFileSync(o.caFile));
  if (bad) return refuse(bad);

  const db = openDeviceDatabase(join(o.dataDir, 'device.db'));
  try {
    const store = new ChainStore(db, o.deviceId, key.privateKey, o.now);
    const head = store.headSeq();
    if (receipt.committedThroughSeq > head)
      return refuse(`the receipt acknowledges seq ${receipt.committedThroughSeq}, but this device's chain ends at ${head}: not this device's chain`);
    if (receipt.committedThroughSeq > 0 && receipt.headHash) {
      const mine = db.prepare('SELECT hash FROM records WHERE seq = ?').pluck().get(receipt.committedThroughSeq) as string | undefined;
      // A pruned record cannot be compared; it was acknowledged before, so the mark is past it anyway.
      if (mine !== undefined && mine !== receipt.headHash) {
        return refuse(`the gateway holds a different record at seq ${receipt.committedThroughSeq} than this device: a fork, tell hall IT (nothing changed)`);
      }
    }
    const ackedBefore = store.ackState().through;
    // As an MQTT ack: refused records are kept for hall IT and leave the outbox; a gap is not a refusal.
    const refused = receipt.rejected.filter((r) => r.code !== 'chain-gap' && r.seq > Math.max(ackedBefore, receipt.committedThroughSeq));
    if (refused.length) store.markRejected(refused.map((r) => ({ ...r })));
    store.markAcknowledged(receipt.committedThroughSeq, new Date((o.now ?? Date.now)()));
    const ackedNow = store.ackState().through;
    return { ok: true, ackedBefore, ackedNow, newlyAcknowledged: Math.max(0, ackedNow - ackedBefore), markedRejected: refused.length, backlog: store.backlog() };
  } finally {
    db.close();
  }
}
