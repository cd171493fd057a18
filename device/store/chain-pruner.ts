/**
 * Pruning of acknowledged records (issue 10, hole 8): a device that lives for years would fill its
 * store with records the gateway has long committed, and then refuse every rating. Pruning takes
 * only what the gateway acknowledged and that is older than the retention age, never the
 * acknowledged head (the chain continues from it), never a rejected record (kept for hall IT),
 * never anything unacknowledged. The checkpoint (chain_bounds, migration 3) names the last
 * pruned seq and its hash, so device:verify checks what remains from there; the delete trigger
 * refuses every other delete.
 *
 * Retention also keeps a pruned rating's invitation from being opened twice: an invitation is
 * only ever re-sent by the gateway, and the gateway already holds its rating (it acknowledged it).
 */
import type { Db } from './database.js';

/** Pruned per transaction, so a long backlog never holds the rating path for long. */
const CHUNK = 2000;

export interface PruneResult {
  /** Records deleted (rejected ones behind the checkpoint stay). */
  records: number;
  events: number;
  prunedThroughSeq: number;
}

export class ChainPruner {
  constructor(private readonly db: Db) {}

  /** The acknowledged mark: pruning can only move when it has. */
  ackedThroughSeq(): number {
    return (this.db.prepare('SELECT acked_through_seq AS n FROM outbox_ack WHERE id = 1').get() as { n: number }).n;
  }

  prunedThroughSeq(): number {
    return (this.db.prepare('SELECT pruned_through_seq AS n FROM chain_bounds WHERE id = 1').get() as { n: number }).n;
  }

  /**
   * Prune, one chunk, the acknowledged records stamped before `cutoffIso` (a contiguous run from
   * the checkpoint: a record stamped later stops it, whatever its seq), and the events before it.
   * Returns what went, and whether more is due.
   */
  pruneChunk(cutoffIso: string, nowIso: string): PruneResult & { more: boolean } {
    return this.db.transaction((): PruneResult & { more: boolean } => {
      const from = this.prunedThroughSeq();
      // The acknowledged head stays: strictly below it.
      const below = this.ackedThroughSeq();
      const younger = this.db.prepare('SELECT MIN(seq) AS s FROM records WHERE seq > ? AND seq < ? AND at >= ?').get(from, below, cutoffIso) as { s: number | null };
      const through = Math.min(below - 1, (younger.s ?? below) - 1, from + CHUNK);
      let records = 0;
      if (through > from) {
        const row = this.db.prepare('SELECT hash FROM records WHERE seq = ?').get(through) as { hash: string } | undefined;
        if (!row) throw new Error(`cannot prune: record ${through} is missing from the store (run device:verify)`);
        // Checkpoint first: the delete trigger lets go only of records behind it.
        this.db.prepare('UPDATE chain_bounds SET pruned_through_seq = ?, pruned_through_hash = ?, pruned_at = ? WHERE id = 1').run(through, row.hash, nowIso);
        records = this.db.prepare('DELETE FROM records WHERE seq > ? AND seq <= ? AND seq NOT IN (SELECT seq FROM outbox_rejections)').run(from, through).changes;
      }
      const events = this.db.prepare('DELETE FROM events WHERE at < ?').run(cutoffIso).changes;
      return { records, events, prunedThroughSeq: Math.max(from, through), more: through === from + CHUNK };
    })();
  }

  /** Prune everything due, chunk by chunk, yielding to the event loop between chunks. */
  async prune(cutoffIso: string, nowIso: () => string): Promise<PruneResult> {
    const total: PruneResult = { records: 0, events: 0, prunedThroughSeq: this.prunedThroughSeq() };
    for (;;) {
      const r = this.pruneChunk(cutoffIso, nowIso());
      total.records += r.records;
      total.events += r.events;
      total.prunedThroughSeq = r.prunedThroughSeq;
      if (!r.more) return total;
      await new Promise((res) => setImmediate(res));
    }
  }
}
