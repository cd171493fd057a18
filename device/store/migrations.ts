/**
 * The device store's schema, one versioned step at a time. Never edit a released step: add one.
 */
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
];
