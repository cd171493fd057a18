/**
 * A village bundle in (issue 13, docs/VILLAGE.md): after the bundle's own checks (its schema, each
 * record against its hash, the device's signature with the key it enrolled with), its records go
 * through the MQTT ingest itself — IngestQueue, cut into the same RecordBatch payloads a device
 * publishes — so every check, the exactly-once (a record already stored is a no-op, whichever way
 * it came), gaps (recorded in chain_gaps, alerted by the device watch), retired devices and stale
 * keys are decided by the one code that decides them for MQTT. What ingest acknowledged becomes the
 * receipt, signed with the gateway's certificate key (receipt-signer.ts).
 *
 * Imports run one at a time. The queue is this importer's own instance over the gateway's store:
 * commits are serialised by the store (one connection's BEGIN IMMEDIATE), and the acks come back
 * here instead of going to the device's MQTT topic.
 */
import { createPublicKey } from 'node:crypto';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { BATCH_RECORD_BYTES, MAX_BATCH_RECORDS, recordPayloadBytes, type BatchAck, type ChainRecord, type RecordBatch, type RejectionCode } from '@hcp/contract';
import { bundleProblem, parseBundle, seqRanges, signReceipt, type VillageBundle, type VillageReceipt } from '@hcp/contract/village-bundle';
import type { Clock } from '../feature.js';
import { IngestQueue } from '../ingest/ingest-queue.js';
import type { GatewayStore } from '../store/database.js';
import type { ReceiptSigner } from './receipt-signer.js';

/** At most this many clock runs in one batch (device/clock/clock-epochs.ts MAX_CLOCK_RUNS). */
const MAX_CLOCK_RUNS = 64;

export interface ImportSummary {
  bundleId: string;
  deviceId: string;
  epoch: number;
  records: number;
  /** Stored by this import. */
  stored: number;
  /** Already stored before (an earlier import, or MQTT): not stored again. */
  alreadyStored: number;
  rejected: Partial<Record<RejectionCode, number>>;
  committedThroughSeq: number;
}

export type ImportResult = { ok: true; summary: ImportSummary; receipt: VillageReceipt | null; receiptFileName: string } | { ok: false; status: 400 | 404 | 409; problem: string };

export interface BundleImporterDeps {
  store: GatewayStore;
  clock: Clock;
  logger: Logger;
  /** Null: the gateway has no certificate configured, so it cannot sign receipts. */
  signer: ReceiptSigner | null;
  /** Records were stored: the ratings ledger should take them in. */
  stored(deviceId: string, count: number): Promise<void>;
}

export class BundleImporter {
  private readonly queue: IngestQueue;
  private readonly acks = new Map<string, BatchAck>();
  private refusal: string | null = null;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: BundleImporterDeps) {
    this.queue = new IngestQueue(d.store, d.clock, d.logger, {
      ack: (_deviceId, ack) => void this.acks.set(ack.batchId, ack),
      refused: (_deviceId, why) => void (this.refusal = why),
      stored: () => undefined,
    });
  }

  /** Import one bundle (a file's text, or a parsed JSON body); resolves with what was stored and the signed receipt. Never two at once. */
  import(input: string | object): Promise<ImportResult> {
    const run = this.last.then(() => this.importNow(input));
    this.last = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every import so far is done. */
  async idle(): Promise<void> {
    await this.last;
    await this.queue.idle();
  }

  private async importNow(input: string | object): Promise<ImportResult> {
    const parsed = parseBundle(input);
    if (!parsed.ok) return { ok: false, status: 400, problem: parsed.problem };
    const b = parsed.bundle;
    const epoch = await this.d.store.db
      .selectFrom('device_epochs')
      .select(['epoch', 'public_key_pem'])
      .where('device_id', '=', b.deviceId)
      .where('key_fingerprint', '=', b.keyFingerprint)
      .executeTakeFirst();
    if (!epoch) {
      const known = await this.d.store.db.selectFrom('devices').select('device_id').where('device_id', '=', b.deviceId).executeTakeFirst();
      return {
        ok: false,
        status: 404,
        problem: known
          ? `device ${b.deviceId} never enrolled with the key that signed this bundle (${b.keyFingerprint.slice(0, 12)}…): nothing imported`
          : `device ${b.deviceId} is not registered at this gateway: nothing imported`,
      };
    }
    const bad = bundleProblem(b, createPublicKey(epoch.public_key_pem));
    if (bad) {
      this.d.logger.warn({ deviceId: b.deviceId, bundleId: b.bundleId, problem: bad }, 'village bundle refused');
      return { ok: false, status: 400, problem: bad };
    }

    const before = await this.storedSeqs(b, epoch.epoch);
    let committedThroughSeq = 0;
    let headHash: string | null = null;
    const rejected = new Map<number, { seq: number; code: RejectionCode; reason: string }>();
    let stoppedAt: number | null = null;
    for (const batch of toBatches(b)) {
      if (stoppedAt !== null) {
        // Ingest stops a chain at its first refused record; the rest cannot follow it either.
        for (const r of batch.records) rejected.set(r.seq, { seq: r.seq, code: 'chain-gap', reason: `follows a refused record at seq ${stoppedAt}` });
        continue;
      }
      this.refusal = null;
      await this.queue.submit(b.deviceId, Buffer.from(JSON.stringify(batch)));
      const ack = this.acks.get(batch.batchId);
      this.acks.delete(batch.batchId);
      if (!ack) return { ok: false, status: 409, problem: `the gateway refused the records: ${this.refusal ?? 'no answer from ingest'}` };
      if (ack.committedThroughSeq >= committedThroughSeq) {
        committedThroughSeq = ack.committedThroughSeq;
        headHash = ack.headHash ?? null;
      }
      for (const x of ack.rejected) rejected.set(x.seq, { seq: x.seq, code: x.code, reason: x.reason });
      if (ack.rejected.length) stoppedAt = Math.min(...ack.rejected.map((x) => x.seq));
    }

    const seqs = b.records.map((r) => r.seq);
    const storedNow = seqs.filter((s) => s <= committedThroughSeq && !rejected.has(s));
    const stored = storedNow.filter((s) => !before.has(s)).length;
    if (stored > 0) await this.d.stored(b.deviceId, stored);
    const counts: Partial<Record<RejectionCode, number>> = {};
    for (const x of rejected.values()) counts[x.code] = (counts[x.code] ?? 0) + 1;
    const summary: ImportSummary = {
      bundleId: b.bundleId,
      deviceId: b.deviceId,
      epoch: epoch.epoch,
      records: b.records.length,
      stored,
      alreadyStored: storedNow.length - stored,
      rejected: counts,
      committedThroughSeq,
    };
    this.d.logger.info({ ...summary }, 'village bundle imported');
    const receipt = this.d.signer
      ? signReceipt(
          {
            format: 'hcp-village-receipt-1',
            receiptId: uuidv7(),
            bundleId: b.bundleId,
            deviceId: b.deviceId,
            keyFingerprint: b.keyFingerprint,
            epoch: epoch.epoch,
            committedThroughSeq,
            headHash,
            acked: seqRanges(storedNow),
            rejected: [...rejected.values()].sort((x, y) => x.seq - y.seq),
            signedAt: new Date(this.d.clock.now()).toISOString(),
            certificatePem: this.d.signer.certificatePem,
          },
          this.d.signer.key,
        )
      : null;
    return { ok: true, summary, receipt, receiptFileName: `hcp-receipt-${b.deviceId}-seq${seqs[0]}-${seqs[seqs.length - 1]}.json` };
  }

  /** The bundle's seqs this epoch already holds (to tell stored-now from stored-before). */
  private async storedSeqs(b: VillageBundle, epoch: number): Promise<Set<number>> {
    const first = b.records[0]!.seq;
    const last = b.records[b.records.length - 1]!.seq;
    const rows = await this.d.store.db
      .selectFrom('records')
      .select('seq')
      .where('device_id', '=', b.deviceId)
      .where('epoch', '=', epoch)
      .where('seq', '>=', first)
      .where('seq', '<=', last)
      .execute();
    return new Set(rows.map((r) => r.seq));
  }
}

/** The bundle as the RecordBatch payloads a device would publish: within the record, byte and clock-run limits of MQTT. */
export function toBatches(b: VillageBundle): RecordBatch[] {
  const records = [...b.records].sort((x, y) => x.seq - y.seq);
  const clocks = [...b.clocks].sort((x, y) => x.fromSeq - y.fromSeq);
  const runsFor = (from: number, to: number) => {
    const inside = clocks.filter((c) => c.fromSeq > from && c.fromSeq <= to);
    const before = clocks.filter((c) => c.fromSeq <= from).pop();
    return before ? [{ ...before, fromSeq: from }, ...inside] : inside;
  };
  const out: RecordBatch[] = [];
  let part: ChainRecord[] = [];
  let bytes = 0;
  const flush = () => {
    if (!part.length) return;
    out.push({
      batchId: uuidv7(),
      deviceId: b.deviceId,
      records: part,
      keyFingerprint: b.keyFingerprint,
      clocks: runsFor(part[0]!.seq, part[part.length - 1]!.seq),
    });
    part = [];
    bytes = 0;
  };
  for (const r of records) {
    const size = recordPayloadBytes(r);
    const runs = part.length ? runsFor(part[0]!.seq, r.seq).length : 1;
    if (part.length >= MAX_BATCH_RECORDS || bytes + size > BATCH_RECORD_BYTES || runs > MAX_CLOCK_RUNS) flush();
    part.push(r);
    bytes += size;
  }
  flush();
  return out;
}
