/**
 * A check's result as it crosses from the checking thread (batch-check.ts, packResult and
 * unpackResult): the records as columns. Whatever a body holds (Chinese, a character outside the
 * Basic Multilingual Plane, which is two UTF-16 units, or nothing but braces), every record comes
 * back as it went, through the structured clone that carries a message between threads.
 */
import { expect, it } from 'vitest';
import { type CheckedRecord, type CheckResult, packResult, unpackResult } from '../../gateway/ingest/batch-check.js';

const record = (seq: number, body: string): CheckedRecord => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  seq,
  prevHash: String(seq - 1)
    .repeat(64)
    .slice(0, 64),
  hash: String(seq).repeat(64).slice(0, 64),
  sig: 's'.repeat(86),
  kind: seq % 2 ? 'rating' : 'detail',
  at: '2026-12-06T05:00:00.000Z',
  windowId: seq % 2 ? 'w-01' : null,
  level: seq % 2 ? 5 : null,
  body,
  atCorrected: '2026-12-06T05:00:00.000Z',
  clockOffsetMs: seq === 3 ? -1200 : null,
  clockFlag: seq === 3 ? 'corrected' : null,
});

it('gives back every record as checked, bodies included, after a structured clone', () => {
  const bodies = ['{"reason":"办事等候时间过长"}', '{"note":"😀 两个单位"}', '{}', JSON.stringify({ filler: 'x'.repeat(5000) }), '{"last":true}'];
  const checked: CheckResult = {
    ok: true,
    batch: {
      batchId: 'b-1',
      deviceId: 'dev-1',
      records: bodies.map((b, i) => record(i + 1, b)),
      rejected: [{ id: 'r-9', seq: 9, code: 'hash-mismatch', reason: 'record content does not match its hash' }],
      keyFingerprint: 'fp',
    },
  };
  const packed = packResult(checked);
  expect(packed.ok && packed.records.body).toEqual(bodies);
  expect(unpackResult(structuredClone(packed))).toEqual(checked);
});

it('gives back a batch with no record, and a refusal, as they were', () => {
  const empty: CheckResult = { ok: true, batch: { batchId: 'b-2', deviceId: 'dev-1', records: [], rejected: [], keyFingerprint: null } };
  expect(unpackResult(structuredClone(packResult(empty)))).toEqual(empty);
  const refused: CheckResult = { ok: false, refused: 'payload is not JSON' };
  expect(unpackResult(structuredClone(packResult(refused)))).toEqual(refused);
});
