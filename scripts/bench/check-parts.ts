/**
 * Where a batch's check goes, step by step (issue 14): the steps of checkBatch (batch-check.ts),
 * each clocked as a batch goes through them, on this thread, with the checking thread's compiled
 * schema (batch-schema.ts). check-cost.ts prints them beside the whole check's time; their sum is
 * close to it, the rest being the loop that puts each record's results together.
 */
import { hashRecord } from '@hcp/contract/chain';
import { parseRecordBatch } from '../../gateway/ingest/batch-schema.js';
import { correctTime } from '../../gateway/ingest/clock-correction.js';
import { median } from './rounds.js';

export interface CheckPart {
  name: string;
  /** Median over the passes of the mean time a batch, ms. */
  ms: number;
}

const STEPS = ['decode to one string', 'JSON.parse', 'schema', 'hashes', 'bodies', 'corrected times'] as const;

/**
 * Each payload taken through the steps in turn, as checkBatch takes it (its data still in the
 * CPU's caches from the step before: timed step by step over all the payloads instead, the steps
 * added up to half as much again as the whole check), each step clocked; `passes` passes after one
 * to warm up, the median of the passes' mean per batch.
 */
export function checkParts(payloads: Buffer[], passes: number): CheckPart[] {
  const clock = { sentAt: Date.now(), receivedAt: Date.now(), clocks: [] };
  const pass = () => {
    const ms = STEPS.map(() => 0);
    for (const payload of payloads) {
      const t0 = performance.now();
      const text = payload.toString('utf8');
      const t1 = performance.now();
      const raw: unknown = JSON.parse(text);
      const t2 = performance.now();
      const parsed = parseRecordBatch(raw);
      const t3 = performance.now();
      if (!parsed.ok) throw new Error(`a payload the schema refuses: ${parsed.error}`);
      const records = parsed.batch.records;
      for (const r of records) hashRecord(r);
      const t4 = performance.now();
      for (const r of records) JSON.stringify(r);
      const t5 = performance.now();
      for (const r of records) correctTime(r, clock);
      const t6 = performance.now();
      [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5].forEach((d, i) => {
        ms[i]! += d / payloads.length;
      });
    }
    return ms;
  };
  pass();
  const runs = Array.from({ length: passes }, pass);
  return STEPS.map((name, i) => ({ name, ms: median(runs.map((r) => r[i]!)) }));
}

export function checkPartsText(parts: CheckPart[]): string {
  const sum = parts.reduce((s, p) => s + p.ms, 0);
  return `${parts.map((p) => `${p.name} ${p.ms.toFixed(2)}`).join(', ')}; ${sum.toFixed(2)} in all`;
}
