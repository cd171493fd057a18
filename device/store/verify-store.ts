/**
 * Hall IT's check of a device store: every record's hash, every link, every signature, no gap in
 * seq, no row moved, the chain still holding what the gateway last acknowledged, and the last
 * record still the last one appended (so a deleted tail is caught, acknowledged or not). Reads only.
 *
 * After pruning (device/store/chain-pruner.ts) the chain is checked from the checkpoint — the last
 * pruned seq and its hash — on; the rejected records kept behind it are checked one by one (hash
 * and signature: what they linked to is gone by design).
 */
import type { KeyObject } from 'node:crypto';
import { ChainRecordSchema, describeZodError, type ChainRecord } from '../contract/index.js';
import { verifyChain, type ChainProblem } from '../contract/chain.js';
import type { Db } from './database.js';

export interface VerifyReport {
  deviceId: string | null;
  records: number;
  ratings: number;
  headSeq: number;
  ackedThroughSeq: number;
  /** Records up to here were pruned after the gateway acknowledged them (0: none). */
  prunedThroughSeq: number;
  problems: Array<{ seq: number; problem: string }>;
}

const PAGE = 5000;

interface Bounds {
  prunedThroughSeq: number;
  prunedThroughHash: string;
  headSeq: number;
  headHash: string;
}

/** The store's bounds (migration 3); a store from before it has none: nothing pruned, no head mark. */
function readBounds(db: Db): Bounds | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_bounds'").get();
  if (!table) return null;
  return (
    (db
      .prepare('SELECT pruned_through_seq AS prunedThroughSeq, pruned_through_hash AS prunedThroughHash, head_seq AS headSeq, head_hash AS headHash FROM chain_bounds WHERE id = 1')
      .get() as Bounds | undefined) ?? null
  );
}

export function verifyDeviceStore(db: Db, publicKey: KeyObject): VerifyReport {
  const problems: VerifyReport['problems'] = [];
  const bounds = readBounds(db);
  const prunedThroughSeq = bounds?.prunedThroughSeq ?? 0;
  let prev: { seq: number; hash: string } | undefined = prunedThroughSeq > 0 ? { seq: prunedThroughSeq, hash: bounds!.prunedThroughHash } : undefined;
  let deviceId: string | null = null;
  let records = 0;
  let ratings = 0;
  let last: { seq: number; hash: string } | undefined;

  const readRow = (row: { seq: number; hash: string; body: string }): ChainRecord | null => {
    try {
      const result = ChainRecordSchema.safeParse(JSON.parse(row.body));
      if (!result.success) {
        problems.push({ seq: row.seq, problem: `unreadable record: ${describeZodError(result.error)}` });
        return null;
      }
      const rec = result.data;
      // The indexed columns must agree with the signed body (a row moved or relabelled).
      if (rec.seq !== row.seq || rec.hash !== row.hash) problems.push({ seq: row.seq, problem: 'row does not match its record (moved or relabelled)' });
      deviceId ??= rec.deviceId;
      return rec;
    } catch {
      problems.push({ seq: row.seq, problem: 'unreadable record: not JSON' });
      return null;
    }
  };

  // Behind the checkpoint: only records kept for their rejection, each checked alone.
  const kept = db.prepare('SELECT seq, hash, body FROM records WHERE seq <= ? ORDER BY seq').all(prunedThroughSeq) as Array<{ seq: number; hash: string; body: string }>;
  for (const row of kept) {
    const rec = readRow(row);
    if (!rec) continue;
    const found = verifyChain([rec], publicKey, { signatures: 'all', deviceId: deviceId ?? rec.deviceId, prev: { seq: rec.seq - 1, hash: rec.prevHash } });
    problems.push(...found);
    records += 1;
    if (rec.kind === 'rating') ratings += 1;
  }

  let afterSeq = prunedThroughSeq;
  const page = db.prepare('SELECT seq, hash, body FROM records WHERE seq > ? ORDER BY seq LIMIT ?');
  for (;;) {
    const rows = page.all(afterSeq, PAGE) as Array<{ seq: number; hash: string; body: string }>;
    if (rows.length === 0) break;
    const parsed: ChainRecord[] = [];
    for (const row of rows) {
      afterSeq = row.seq;
      const rec = readRow(row);
      if (rec) parsed.push(rec);
    }
    const found: ChainProblem[] = deviceId ? verifyChain(parsed, publicKey, { signatures: 'all', deviceId, ...(prev ? { prev } : {}) }) : [];
    problems.push(...found);
    records += parsed.length;
    ratings += parsed.filter((r) => r.kind === 'rating').length;
    const tail = parsed[parsed.length - 1];
    if (tail) prev = last = { seq: tail.seq, hash: tail.hash };
  }

  const ack = db.prepare('SELECT acked_through_seq AS through, head_hash AS headHash FROM outbox_ack WHERE id = 1').get() as
    | { through: number; headHash: string | null }
    | undefined;
  const ackedThroughSeq = ack?.through ?? 0;
  if (ack && ack.through > 0) {
    const row = db.prepare('SELECT hash FROM records WHERE seq = ?').get(ack.through) as { hash: string } | undefined;
    if (!row) problems.push({ seq: ack.through, problem: 'a record the gateway acknowledged is missing (deleted tail)' });
    else if (ack.headHash && row.hash !== ack.headHash) problems.push({ seq: ack.through, problem: 'the record the gateway acknowledged has changed' });
  }
  // The last record appended, as the insert trigger marked it, must still be the last one here.
  if (bounds && bounds.headSeq > 0) {
    const lastSeq = last?.seq ?? prunedThroughSeq;
    if (lastSeq < bounds.headSeq) problems.push({ seq: lastSeq + 1, problem: `records ${lastSeq + 1}–${bounds.headSeq} are missing (deleted tail)` });
    else if (last && (last.seq !== bounds.headSeq || last.hash !== bounds.headHash)) problems.push({ seq: last.seq, problem: 'the last record is not the one last appended' });
  }
  return { deviceId, records, ratings, headSeq: last?.seq ?? 0, ackedThroughSeq, prunedThroughSeq, problems };
}
