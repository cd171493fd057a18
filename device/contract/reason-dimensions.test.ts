/**
 * The reason → dimension table (docs/NATIONAL-SPEC.md "The reason catalogue", RULES.md R16): every
 * item in use has a dimension, retired ones have none, and the table is exactly the one the
 * document prints — a change to it is a change to published statistics, so it shows up here.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUES, DIMENSION_TABLES, REASON_DIMENSIONS, dimensionsOfReason, getCatalogue, untaggedReasons } from './index.js';

describe('reason dimensions', () => {
  it('tags every item in use of every catalogue version, and only with known dimensions', () => {
    for (const catalogue of CATALOGUES.values()) {
      expect(DIMENSION_TABLES.has(catalogue.version), catalogue.version).toBe(true);
      expect(untaggedReasons(catalogue), catalogue.version).toEqual([]);
    }
  });

  it('gives a retired or unknown item no dimension (it is counted as unclassified)', () => {
    const retired = getCatalogue('2020.1')!.items.filter((i) => i.retired);
    expect(retired.length).toBeGreaterThan(0);
    for (const item of retired) expect(dimensionsOfReason('2020.1', item.code)).toEqual([]);
    expect(dimensionsOfReason('2020.1', 599)).toEqual([]);
    expect(dimensionsOfReason('1999.9', 115)).toEqual([]);
    expect(dimensionsOfReason(null, 115)).toEqual([]);
  });

  it('is the table NATIONAL-SPEC.md prints for 2020.1', () => {
    const byDimension = Object.fromEntries(REASON_DIMENSIONS.map((d) => [d, [] as number[]]));
    for (const item of getCatalogue('2020.1')!.items) for (const d of dimensionsOfReason('2020.1', item.code)) byDimension[d]!.push(item.code);
    for (const list of Object.values(byDimension)) list.sort((a, b) => b - a);
    expect(byDimension).toEqual({
      attitude: [517, 413, 314, 214, 115],
      efficiency: [517, 511, 510, 411, 313, 309, 212, 209, 115, 114, 113, 110],
      quality: [516, 515, 514, 513, 512, 412, 410, 409, 407, 406, 312, 213, 211, 210, 112],
      guide: [408, 311, 310, 308, 307, 208, 207, 111],
      discipline: [110, 109, 108],
      environment: [],
    });
  });
});
