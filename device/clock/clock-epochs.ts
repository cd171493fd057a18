/**
 * The device's clock epochs (table `clock_epochs`, migration 2): one per start of the program,
 * with the first seq it stamps and the offset to the gateway measured during it. A batch names
 * the runs its records were stamped in (ClockRunSchema), so the gateway can place every record in
 * time even when it was stamped in a run that never reached the gateway (docs: issue 10, hole 12).
 */
import type { ClockRun } from '../contract/index.js';
import type { Db } from '../store/database.js';
import type { ClockLedger } from '../runtime/ports.js';
import type { StampClock } from './stamp-clock.js';

/** RecordBatchSchema takes at most this many clock runs; the sync cuts a batch at the last one. */
export const MAX_CLOCK_RUNS = 64;
/** The stored offset follows the measured one when they differ by this much. */
const OFFSET_STORE_STEP_MS = 250;

interface EpochRow {
  epoch: number;
  first_seq: number;
  offset_ms: number | null;
}

export class ClockEpochs implements ClockLedger {
  private offsetMs: number | undefined;
  private storedOffsetMs: number | undefined;

  private constructor(
    private readonly db: Db,
    private readonly clock: StampClock,
    /** This run's epoch. */
    readonly epoch: number,
  ) {}

  /** Open this run's epoch: its first record will be `firstSeq` (head + 1 at start). */
  static begin(db: Db, clock: StampClock, firstSeq: number): ClockEpochs {
    const r = db.prepare('INSERT INTO clock_epochs (first_seq, started_at) VALUES (?, ?)').run(firstSeq, clock.iso());
    return new ClockEpochs(db, clock, Number(r.lastInsertRowid));
  }

  noteOffset(offsetMs: number): void {
    const offset = Math.round(offsetMs);
    const stored = this.storedOffsetMs;
    this.offsetMs = offset;
    // Within an epoch the offset is one constant plus network jitter: rewriting it (an fsync)
    // on every ack buys nothing, so it is stored when first measured and when it really moves.
    if (stored !== undefined && Math.abs(offset - stored) < OFFSET_STORE_STEP_MS) return;
    this.db.prepare('UPDATE clock_epochs SET offset_ms = ?, offset_at = ? WHERE epoch = ?').run(offset, this.clock.iso(), this.epoch);
    this.storedOffsetMs = offset;
  }

  currentOffset(): number | undefined {
    return this.offsetMs;
  }

  /**
   * The runs that cover seqs fromSeq..toSeq, by ascending fromSeq (a batch takes MAX_CLOCK_RUNS of
   * them at most: the sync cuts it there). An epoch that stamped nothing
   * (a start with no rating before the next) is shadowed by the next one with the same first seq.
   */
  runsFor(fromSeq: number, toSeq: number): ClockRun[] {
    const rows = this.db
      .prepare(
        `SELECT epoch, first_seq, offset_ms FROM clock_epochs
          WHERE first_seq <= ? AND epoch >= COALESCE((SELECT MAX(epoch) FROM clock_epochs WHERE first_seq <= ?), 0)
          ORDER BY epoch`,
      )
      .all(toSeq, fromSeq) as EpochRow[];
    const runs: ClockRun[] = [];
    for (const row of rows) {
      const start = Math.max(row.first_seq, fromSeq);
      const run: ClockRun = { fromSeq: start, current: row.epoch === this.epoch, offsetMs: row.epoch === this.epoch ? (this.offsetMs ?? null) : row.offset_ms };
      if (runs.length > 0 && runs[runs.length - 1]!.fromSeq === start) runs[runs.length - 1] = run;
      else runs.push(run);
    }
    // Records older than any epoch (cannot happen after migration 2, which opens epoch 0 for them): unknown clock.
    if (runs.length === 0 || runs[0]!.fromSeq > fromSeq) runs.unshift({ fromSeq, current: false, offsetMs: null });
    return runs;
  }
}
