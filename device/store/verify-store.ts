/**
 * Hall IT's check of a device store: every record's hash, every link, every signature, no gap in
 * seq, ratings and invitations one-to-one, and the chain still holding what the gateway last
 * acknowledged (so a deleted tail is caught too). Reads only.
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
  problems: Array<{ seq: number; problem: string }>;
}

const PAGE = 5000;

export function verifyDeviceStore(db: Db, publicKey: KeyObject): VerifyReport {
  const problems: VerifyReport['problems'] = [];
  let prev: { seq: number; hash: string } | undefined;
  let deviceId: string | null = null;
  let records = 0;
  let ratings = 0;
  let afterSeq = 0;
  const page = db.prepare('SELECT seq, hash, body FROM records WHERE seq > ? ORDER BY seq LIMIT ?');
  for (;;) {
    const rows = page.all(afterSeq, PAGE) as Array<{ seq: number; hash: string; body: string }>;
    if (rows.length === 0) break;
    const parsed: ChainRecord[] = [];
    for (const row of rows) {
      afterSeq = row.seq;
      let rec: ChainRecord;
      try {
        const result = ChainRecordSchema.safeParse(JSON.parse(row.body));
        if (!result.success) {
          problems.push({ seq: row.seq, problem: `unreadable record: ${describeZodError(result.error)}` });
          continue;
        }
        rec = result.data;
      } catch {
        problems.push({ seq: row.seq, problem: 'unreadable record: not JSON' });
        continue;
      }
      // The indexed columns must agree with the signed body (a row moved or relabelled).
      if (rec.seq !== row.seq || rec.hash !== row.hash) problems.push({ seq: row.seq, problem: 'row does not match its record (moved or relabelled)' });
      deviceId ??= rec.deviceId;
      parsed.push(rec);
    }
    const found: ChainProblem[] = deviceId ? verifyChain(parsed, publicKey, { signatures: 'all', deviceId, ...(prev ? { prev } : {}) }) : [];
    problems.push(...found);
    records += parsed.length;
    ratings += parsed.filter((r) => r.kind === 'rating').length;
    const last = parsed[parsed.length - 1];
    if (last) prev = { seq: last.seq, hash: last.hash };
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
  return { deviceId, records, ratings, headSeq: prev?.seq ?? 0, ackedThroughSeq, problems };
}
