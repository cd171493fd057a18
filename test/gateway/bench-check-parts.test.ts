/**
 * check-parts.ts, which check-cost.ts prints and docs/POSTGRES.md cites for where the checking
 * thread's time goes: each step of checkBatch timed alone, and their sum near the whole check's.
 */
import { expect, it } from 'vitest';
import { checkBatch } from '../../gateway/ingest/batch-check.js';
import { parseRecordBatch } from '../../gateway/ingest/batch-schema.js';
import { checkParts, checkPartsText } from '../../scripts/bench/check-parts.js';
import { median } from '../../scripts/bench/rounds.js';
import { BATCH, batchPayload, rawDevice } from '../../scripts/bench/sim-devices.js';

it("times each step of a batch's check, and the steps add up to about the whole check", () => {
  const d = rawDevice('dev-check-parts');
  const payloads = Array.from({ length: 6 }, () => Buffer.from(batchPayload(d, BATCH)));
  const parts = checkParts(payloads, 3);
  expect(parts.map((p) => p.name)).toEqual(['decode to one string', 'JSON.parse', 'schema', 'hashes', 'bodies', 'corrected times']);
  for (const p of parts) expect(p.ms, p.name).toBeGreaterThan(0);
  const whole = median(
    Array.from({ length: 9 }, (_, i) => {
      const t = performance.now();
      const r = checkBatch(d.id, payloads[i % payloads.length]!, Date.now(), parseRecordBatch);
      expect(r.ok && r.batch.records.length).toBe(BATCH);
      return performance.now() - t;
    }),
  );
  const sum = parts.reduce((s, p) => s + p.ms, 0);
  // A step left out (or a new one in checkBatch) shows as a sum far from the whole; loose bounds, as both are timings.
  expect(sum / whole).toBeGreaterThan(0.4);
  expect(sum / whole).toBeLessThan(2.5);
  expect(checkPartsText(parts)).toMatch(
    /^decode to one string \d+\.\d\d, JSON\.parse \d+\.\d\d, schema \d+\.\d\d, hashes \d+\.\d\d, bodies \d+\.\d\d, corrected times \d+\.\d\d; \d+\.\d\d in all$/,
  );
});
