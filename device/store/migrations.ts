/**
 * The device store's schema, one versioned step at a time. Never edit a released step: add one.
 */
import { GENESIS_HASH } from '../contract/index.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const DEVICE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'chain records, outbox state, events, key-value state',
    sql: `
      -- The hash chain. Append-only: the triggers refuse edits and deletes through SQL, and the
      -- chain (hash + signature) makes edits made around SQLite detectable (verify command).
      CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('rating', 'detail')),
        at TEXT NOT NULL,
        hash TEXT NOT NULL,
        invitation_id TEXT,
        rating_id TEXT,
        body TEXT NOT NULL
      );
      -- One invitation, one rating (R3), enforced by the database across crashes.
      CREATE UNIQUE INDEX records_one_rating_per_invitation ON records (invitation_id) WHERE invitation_id IS NOT NULL;
      -- A rating gets at most one detail record (partial: ratings do not pay for this index).
      CREATE UNIQUE INDEX records_one_detail_per_rating ON records (rating_id) WHERE rating_id IS NOT NULL;
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;

      -- What the gateway has acknowledged: everything up to acked_through_seq, and its head hash.
      CREATE TABLE outbox_ack (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        acked_through_seq INTEGER NOT NULL,
        head_hash TEXT,
        acked_at TEXT
      );
      INSERT INTO outbox_ack (id, acked_through_seq) VALUES (1, 0);

      -- Records the gateway refused, kept visible for hall IT (never dropped silently).
      CREATE TABLE outbox_rejections (
        seq INTEGER PRIMARY KEY REFERENCES records(seq),
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      );

      -- Operational events (logins, presses while not armed, unknown badges). Never a rater's identity.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT
      );

      -- Small state that must survive a restart: the logged-in staff, the open invitation, the
      -- cached gateway config.
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'clock epochs',
    sql: `
      -- One row per start of the device program (issue 10, hole 12; device/clock/stamp-clock.ts):
      -- records are stamped from a clock anchored once per run, so each run's stamps carry one
      -- constant error. first_seq is the first seq the run stamps; offset_ms is that run's clock
      -- minus the gateway's, measured from acks during the run (the latest kept), NULL if the run
      -- never reached the gateway. Batches name these runs (ClockRunSchema) so the gateway can
      -- correct the records of a run it never saw.
      CREATE TABLE clock_epochs (
        epoch INTEGER PRIMARY KEY,
        first_seq INTEGER NOT NULL,
        started_at TEXT,
        offset_ms INTEGER,
        offset_at TEXT
      );
      -- Records stamped before epochs were kept: one run from seq 1, by the wall clock, offset unknown.
      INSERT INTO clock_epochs (epoch, first_seq) SELECT 0, 1 WHERE EXISTS (SELECT 1 FROM records);
    `,
  },
  {
    version: 3,
    name: 'pruning of acknowledged records',
    sql: `
      -- What the store holds of the chain (issue 10, hole 8): records up to pruned_through_seq were
      -- pruned after the gateway acknowledged them (only the rejected ones stay, for hall IT), and
      -- the chain goes on from pruned_through_hash; head_* is the last record ever appended, kept by
      -- a trigger, so a deleted unacknowledged tail is still caught (device/store/verify-store.ts).
      CREATE TABLE chain_bounds (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through_seq INTEGER NOT NULL,
        pruned_through_hash TEXT NOT NULL,
        pruned_at TEXT,
        head_seq INTEGER NOT NULL,
        head_hash TEXT NOT NULL
      );
      INSERT INTO chain_bounds (id, pruned_through_seq, pruned_through_hash, head_seq, head_hash)
        SELECT 1, 0, '${GENESIS_HASH}',
               COALESCE((SELECT seq FROM records ORDER BY seq DESC LIMIT 1), 0),
               COALESCE((SELECT hash FROM records ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}');

      CREATE TRIGGER records_track_head AFTER INSERT ON records
        WHEN NEW.seq > (SELECT head_seq FROM chain_bounds WHERE id = 1)
        BEGIN UPDATE chain_bounds SET head_seq = NEW.seq, head_hash = NEW.hash WHERE id = 1; END;
      -- The head mark follows the records, nothing else.
      CREATE TRIGGER chain_bounds_head BEFORE UPDATE OF head_seq, head_hash ON chain_bounds
        WHEN NEW.head_seq IS NOT (SELECT MAX(seq) FROM records)
          OR NEW.head_hash IS NOT (SELECT hash FROM records WHERE seq = NEW.head_seq)
        BEGIN SELECT RAISE(ABORT, 'the chain head mark follows the last appended record'); END;
      -- The checkpoint moves only forward, stays behind the acknowledged head, and lands on a
      -- record it names by hash (so it is written before the records behind it are pruned).
      CREATE TRIGGER chain_bounds_checkpoint BEFORE UPDATE OF pruned_through_seq, pruned_through_hash ON chain_bounds
        WHEN NEW.pruned_through_seq IS NOT OLD.pruned_through_seq OR NEW.pruned_through_hash IS NOT OLD.pruned_through_hash
        BEGIN SELECT RAISE(ABORT, 'the pruning checkpoint moves only forward, behind the acknowledged head, onto a record named by its hash')
          WHERE NEW.pruned_through_seq <= OLD.pruned_through_seq
             OR NEW.pruned_through_seq >= (SELECT acked_through_seq FROM outbox_ack WHERE id = 1)
             OR NEW.pruned_through_hash IS NOT (SELECT hash FROM records WHERE seq = NEW.pruned_through_seq);
        END;

      -- The blanket refusal of deletes becomes: refuse every delete but pruning, which takes only
      -- a record behind the checkpoint, below the acknowledged head (pinned: the chain continues
      -- from it), and without a rejection (kept for hall IT). Same name, so tools that know it keep working.
      DROP TRIGGER records_no_delete;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        WHEN NOT (OLD.seq <= (SELECT pruned_through_seq FROM chain_bounds WHERE id = 1)
                  AND OLD.seq < (SELECT acked_through_seq FROM outbox_ack WHERE id = 1)
                  AND NOT EXISTS (SELECT 1 FROM outbox_rejections x WHERE x.seq = OLD.seq))
        BEGIN SELECT RAISE(ABORT, 'records are append-only: only acknowledged records behind the pruning checkpoint may be pruned'); END;
    `,
  },
];
