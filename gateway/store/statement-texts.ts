/**
 * The texts of PostgreSQL's hot multi-row statements (ingest's chain heads, the assessor's ledger
 * inserts), made once here instead of by Kysely's query builder at every run. Built by Kysely, each
 * group commit's and each assessor step's statements were new objects to compile: at a steady 200
 * presses/s on PostgreSQL, the compiler's three largest rows came to 13.3 of the 213.3 MiB the
 * event loop allocated in an 8-s round, and 195.1 MiB were left with these texts (issue 14,
 * `STORE=pg PRELOAD=900000 ALLOCATED=1 npx tsx scripts/bench/profile-latency.ts 500 1`). The
 * young heap filled sooner, more outlived it, and the full collections that the slowest acks wait
 * behind came sooner. A text made here also goes as a named prepared statement
 * (GatewayStore.keepPrepared): parsed and planned once per connection.
 */

import { CompiledQuery, type QueryResult } from 'kysely';
import type { Tx } from './database.js';

/** Rows per multi-row statement: a device's largest batch, its default one, then powers of two. */
const SIZES = [500, 200, 128, 64, 32, 16, 8, 4, 2, 1] as const;

/**
 * Rows in the next statement, `left` still to write and at most `max` a statement: the largest
 * size that fits, so that at most 10 sizes of a statement are ever prepared on a connection.
 */
export const rowsInNext = (left: number, max = 500): number => SIZES.find((n) => n <= Math.min(left, max)) ?? 1;

/**
 * "($1, $2), ($3, $4)": `rows` tuples of `columns` parameters, numbered from $1. `cast[c]`, if
 * given, wraps column c's parameter (`CAST($n AS INTEGER)`): PostgreSQL takes a bare parameter in
 * a VALUES list that is not an INSERT's as text.
 */
export function valuesTuples(rows: number, columns: number, cast: ReadonlyArray<string | null> = []): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const params: string[] = [];
    for (let c = 0; c < columns; c++) {
      const p = `$${r * columns + c + 1}`;
      params.push(cast[c] ? `CAST(${p} AS ${cast[c]})` : p);
    }
    tuples.push(`(${params.join(', ')})`);
  }
  return tuples.join(', ');
}

/**
 * A statement's text for each row count, made once. Only the counts up to `keepUpTo` are kept
 * (and so prepared, bounded): a larger one is rare (a burst's group of many devices) and is made
 * at its run; a text of every count up to 500 would be megabytes held for good.
 */
export class TextsByRows {
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly make: (rows: number) => string,
    private readonly keepUpTo = 32,
  ) {}

  /** The text for `rows` rows, and whether it is one kept (fit to prepare). */
  get(rows: number): { text: string; kept: boolean } {
    if (rows > this.keepUpTo) return { text: this.make(rows), kept: false };
    let text = this.texts.get(rows);
    if (text === undefined) this.texts.set(rows, (text = this.make(rows)));
    return { text, kept: true };
  }

  /** Run the text for `rows` rows in `trx`, prepared if it is a kept one. */
  run<R>(trx: Tx, rows: number, params: unknown[], keepPrepared?: (text: string) => void): Promise<QueryResult<R>> {
    const t = this.get(rows);
    return runText<R>(trx, t.text, params, t.kept ? keepPrepared : undefined);
  }
}

/** Run `text` in `trx`; `keepPrepared` (GatewayStore.keepPrepared), if given, keeps it prepared first. */
export function runText<R>(trx: Tx, text: string, params: unknown[], keepPrepared?: (text: string) => void): Promise<QueryResult<R>> {
  keepPrepared?.(text);
  return trx.executeQuery<R>(CompiledQuery.raw(text, params));
}
