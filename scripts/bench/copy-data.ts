/**
 * What making one group's COPY data costs the ingest thread on PostgreSQL (issue 14): the records
 * of a device's 500-record batch, checked as ingest checks them, written by `recordsCopyData`
 * (CopyData: each line straight into bytes), next to the same lines joined into one string and
 * then encoded, as ingest made them before d728c76 (pg-copy-streams encoded the string). Both
 * give the same bytes (checked first). Interleaved over ROUNDS, each round the median of many
 * groups. Not a benchmark of the gateway: a breakdown of one step of it.
 * Usage: ROUNDS=5 npx tsx scripts/bench/copy-data.ts
 */
import { checkBatch } from '../../gateway/ingest/batch-check.js';
import { type RecordRun, recordsCopyData, runsValues } from '../../gateway/ingest/records-insert.js';
import { copyField } from '../../gateway/store/copy-text.js';
import { median, ratioText } from './rounds.js';
import { BATCH, batchPayload, rawDevice } from './sim-devices.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const GROUPS = 200;

const device = rawDevice('dev-copy-data');
const checked = checkBatch(device.id, Buffer.from(batchPayload(device, BATCH)), Date.now());
if (!checked.ok) throw new Error(`the bench's own batch was refused: ${checked.refused}`);
const runs: RecordRun[] = [{ deviceId: device.id, epoch: 1, deviceWindowId: null, storedAt: new Date().toISOString(), records: checked.batch.records }];

/** The lines as one string, then encoded: what ingest sent before. */
const joinedThenEncoded = (r: RecordRun[]) =>
  Buffer.from(
    runsValues(r)
      .map((fields) => `${fields.map(copyField).join('\t')}\n`)
      .join(''),
    'utf8',
  );

if (!joinedThenEncoded(runs).equals(recordsCopyData(runs))) throw new Error('the two ways give different bytes');

/** Milliseconds per group, the median of GROUPS. */
function perGroup(make: (r: RecordRun[]) => Buffer): number {
  const ms: number[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const t = performance.now();
    make(runs);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const figure: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  figure.push(perGroup(recordsCopyData));
  baseline.push(perGroup(joinedThenEncoded));
}
const bytes = recordsCopyData(runs).length;
console.log(`one group's COPY data (${BATCH} records, ${(bytes / 1024).toFixed(0)} KiB), ms on this thread:`);
console.log(`  written into bytes (recordsCopyData): ${figure.map((x) => x.toFixed(2)).join(' ')}; median ${median(figure).toFixed(2)}`);
console.log(`  joined into one string, then encoded: ${baseline.map((x) => x.toFixed(2)).join(' ')}; median ${median(baseline).toFixed(2)}`);
console.log(`  ratio ${ratioText(figure.map((f, i) => f / baseline[i]!))}`);
