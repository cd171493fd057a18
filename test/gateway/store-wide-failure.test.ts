/**
 * Which failed writes ingest takes for the store's (no batch of the group is tried alone, one log
 * line: ingest-queue.ts, afterGroupFailed) and which it takes for a batch's own. A batch's own
 * failure taken for the store's would leave the batches grouped with it unacknowledged at every
 * resend, so the second list matters as much as the first. The real failures are in
 * test/pg/store-health.test.ts.
 */
import { SqliteError } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storeWideFailure } from '../../gateway/store/store-wide-failure.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('storeWideFailure', () => {
  it.each([
    ['25006', /takes no writes/],
    ['08006', /connection to the database failed/],
    ['57P01', /shutting down/],
    ['57P03', /shutting down or starting/],
    ['53100', /out of a resource/],
    ['28P01', /refuses the configured user/],
    ['3D000', /does not exist/],
    ['ECONNREFUSED', /cannot be reached \(ECONNREFUSED\)/],
  ])('takes PostgreSQL %s for the whole store', (code, why) => {
    expect(storeWideFailure(withCode(code))).toMatch(why);
  });

  it("takes pg's own connection errors, which have no code, for the whole store", () => {
    expect(storeWideFailure(new Error('Connection terminated unexpectedly'))).toMatch(/connection/);
    expect(storeWideFailure(new Error('timeout exceeded when trying to connect'))).toMatch(/connection/);
  });

  it.each([['SQLITE_FULL'], ['SQLITE_READONLY'], ['SQLITE_IOERR_FSYNC'], ['SQLITE_CANTOPEN']])('takes SQLite %s for the whole store', (code) => {
    expect(storeWideFailure(new SqliteError('failed', code))).not.toBeNull();
  });

  it.each([
    ['23505', 'a unique key a record repeats'],
    ['23503', 'a foreign key a batch names'],
    ['22P02', 'a value the column does not take'],
    ['40001', 'a serialization failure (the store retries it)'],
    ['55000', 'an object not in the state a statement needs'],
    ['SQLITE_CONSTRAINT_UNIQUE', "SQLite's unique key"],
  ])('takes %s (%s) for the write’s own', (code) => {
    expect(storeWideFailure(withCode(code))).toBeNull();
  });

  it('takes an error without a code, or no error object, for the write’s own', () => {
    expect(storeWideFailure(new Error('Connection to a window that is gone'))).toBeNull();
    expect(storeWideFailure(new TypeError('x is undefined'))).toBeNull();
    expect(storeWideFailure(undefined)).toBeNull();
    expect(storeWideFailure('failed')).toBeNull();
  });
});
