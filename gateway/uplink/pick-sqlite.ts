/**
 * The sender's pick on SQLite (sender.ts pickQuery's SQL, with the rows waiting for their commit
 * left out in the query rather than after it): prepared once and read as arrays. Through Kysely
 * each pick built and compiled its query again and better-sqlite3 made an object of every row; in
 * bench:uplink that was about half of each pick's cost, and the picks a sixth of the drain.
 * PostgreSQL runs pickQuery.
 */
import type Database from 'better-sqlite3';
import type { OutRow } from './outcome-commit.js';

/** The columns of a picked row, in OutRow's order. */
export const PICK_COLUMNS = ['id', 'item_key', 'assess_id', 'payload', 'attempts', 'revision', 'replaceable', 'on_wire'] as const satisfies readonly (keyof OutRow)[];

const PICK_SQL = `SELECT ${PICK_COLUMNS.map((c) => `o.${c}`).join(', ')} FROM uplink_outbox AS o
  WHERE o.state = 'pending' AND o.lane = ?
    AND (o.after_id IS NULL OR EXISTS (SELECT p.id FROM uplink_outbox AS p WHERE p.id = o.after_id AND p.state = 'sent'))
    AND o.id NOT IN (SELECT value FROM json_each(?))
  ORDER BY o.at, o.id LIMIT ?`;

type PickTuple = [number, string, string, string, number, number, number, number];

/**
 * The lane's oldest pending rows whose predecessor (if any) is sent, at most `limit`, leaving out
 * `skip` (rows answered, their commit not yet made: outcome-commit.ts). Left out by the query, not
 * read and dropped: a commit gathers for a while, and reading the rows waiting in it with their
 * payloads cost the picks as much again. Call it only while holding the connection.
 */
export function fastPick(db: Database.Database): (lane: number, limit: number, skip: ReadonlySet<number>) => OutRow[] {
  const pick = db.prepare(PICK_SQL).raw(true);
  return (lane, limit, skip) =>
    (pick.all(lane, JSON.stringify([...skip]), limit) as PickTuple[]).map((r) => ({
      id: r[0],
      item_key: r[1],
      assess_id: r[2],
      payload: r[3],
      attempts: r[4],
      revision: r[5],
      replaceable: r[6],
      on_wire: r[7],
    }));
}
