/**
 * Ingest's records insert on PostgreSQL (gateway/ingest/records-insert.ts) comes in a few fixed
 * sizes, each a prepared statement on every pooled connection: whatever the groups' sizes, the
 * sizes it uses are few, and they add up to the group.
 */
import { expect, it } from 'vitest';
import { insertRows, RECORD_COLUMNS, recordsCopyData, recordsInsertText, runsValues } from '../../gateway/ingest/records-insert.js';

it('splits any group into inserts of 500 or 200 rows and then powers of two: at most 10 sizes in all', () => {
  const sizes = new Set<number>();
  for (let group = 1; group <= 2000; group++) {
    let left = group;
    while (left > 0) {
      const n = insertRows(left);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(left);
      sizes.add(n);
      left -= n;
    }
  }
  expect([...sizes].sort((a, b) => b - a)).toEqual([500, 200, 128, 64, 32, 16, 8, 4, 2, 1]);
});

it('numbers the parameters row by row, 14 a row', () => {
  const two = recordsInsertText(2, false);
  expect(two).toMatch(/^INSERT INTO records \(id, device_id, .*, stored_at\) VALUES \(\$1, \$2, .*\$14\), \(\$15, .*\$28\)$/);
  expect(recordsInsertText(2, false)).toBe(two);
  expect(recordsInsertText(200, false)).toContain('$2800)');
});

it('comes in a second form that leaves out a row whose id is stored already, otherwise the same', () => {
  expect(recordsInsertText(2, true)).toBe(`${recordsInsertText(2, false)} ON CONFLICT (id) DO NOTHING`);
  expect(recordsInsertText(2, true)).toBe(recordsInsertText(2, true));
});

it("takes a device's largest batch (500) and its default one (200) in one statement each", () => {
  expect(insertRows(500)).toBe(500);
  expect(insertRows(200)).toBe(200);
  expect(insertRows(499)).toBe(200);
  expect(insertRows(1000)).toBe(500);
  expect(recordsInsertText(500, false)).toContain('$7000)');
});

it("gives each record its batch's device, epoch and time of storage, and a record other than a rating its device's window", () => {
  const record = (seq: number, kind: 'rating' | 'detail', windowId: string | null) => ({
    id: `r${seq}`,
    seq,
    prevHash: 'p',
    hash: `h${seq}`,
    sig: 's',
    kind,
    at: '2026-12-05T08:00:00.000Z',
    windowId,
    level: kind === 'rating' ? 5 : null,
    body: `{"seq":${seq}}`,
    atCorrected: '2026-12-05T08:00:01.000Z',
    clockOffsetMs: 1000,
    clockFlag: null,
  });
  const run = {
    deviceId: 'dev-1',
    epoch: 3,
    deviceWindowId: 'win-device',
    storedAt: '2026-12-05T08:00:02.000Z',
    records: [record(1, 'rating', 'win-rated'), record(2, 'detail', null)],
  };
  const rows = runsValues([run]).map((values) => Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, values[i]])));
  expect(rows).toEqual([
    {
      id: 'r1',
      device_id: 'dev-1',
      epoch: 3,
      seq: 1,
      kind: 'rating',
      hash: 'h1',
      at: '2026-12-05T08:00:00.000Z',
      at_corrected: '2026-12-05T08:00:01.000Z',
      clock_offset_ms: 1000,
      clock_flag: null,
      window_id: 'win-rated',
      level: 5,
      body: '{"seq":1}',
      stored_at: '2026-12-05T08:00:02.000Z',
    },
    {
      id: 'r2',
      device_id: 'dev-1',
      epoch: 3,
      seq: 2,
      kind: 'detail',
      hash: 'h2',
      at: '2026-12-05T08:00:00.000Z',
      at_corrected: '2026-12-05T08:00:01.000Z',
      clock_offset_ms: 1000,
      clock_flag: null,
      window_id: 'win-device',
      level: null,
      body: '{"seq":2}',
      stored_at: '2026-12-05T08:00:02.000Z',
    },
  ]);
  expect(recordsCopyData([run]).toString('utf8').split('\n')[1]).toBe(
    'r2\tdev-1\t3\t2\tdetail\th2\t2026-12-05T08:00:00.000Z\t2026-12-05T08:00:01.000Z\t1000\t\\N\twin-device\t\\N\t{"seq":2}\t2026-12-05T08:00:02.000Z',
  );
});
