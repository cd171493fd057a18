/**
 * Ingest's records insert on PostgreSQL (gateway/ingest/records-insert.ts) comes in a few fixed
 * sizes, each a prepared statement on every pooled connection: whatever the groups' sizes, the
 * sizes it uses are few, and they add up to the group.
 */
import { expect, it } from 'vitest';
import { insertRows, recordsInsertText } from '../../gateway/ingest/records-insert.js';

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
