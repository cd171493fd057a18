import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapDefault, mapRating, NationalRatingSchema, type UplinkProfile } from '../../gateway/uplink/national-mapping.js';
import { FakeDevice } from './support/fixtures.js';

const profile: UplinkProfile = { areaCode: '131000', deptCode: 'LF-XZSP-01', version: '2.0' };
const golden = (name: string) => join(import.meta.dirname, 'golden', name);

function matchGolden(name: string, value: unknown): void {
  const file = golden(name);
  // Set UPDATE_GOLDEN=1 once to (re)write after a deliberate mapping change, then review the diff.
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  if (!existsSync(file)) throw new Error(`golden file ${name} missing: run with UPDATE_GOLDEN=1 and review it`);
  expect(value).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('national mapping (golden files)', () => {
  const dev = new FakeDevice('dev-lf-001', 'W07', 'staff-0042');

  it('a very dissatisfied rating with its detail: satisfaction 1, reasons comma-separated, no contact', () => {
    const r = dev.rating(new Date('2025-10-09T01:02:03Z'), 1, { caseNo: 'LF2025100900017', itemCode: '11131000MB0000001X4000117001', itemName: '个体工商户设立登记' }, '01936b2e-1c00-7000-8000-000000000001');
    const d = dev.detail(r, new Date('2025-10-09T01:02:40Z'), [113, 115], '材料要求前后不一致', '01936b2e-1c00-7000-8000-000000000002');
    const out = mapRating(r, d, profile);
    expect(NationalRatingSchema.parse(out)).toEqual(out);
    expect(JSON.stringify(out)).not.toMatch(/x25519|MTM5|contact/);
    matchGolden('rating-with-detail.json', out);
  });

  it('a very satisfied rating without case or detail', () => {
    const r = dev.rating(new Date('2026-02-14T08:00:00+08:00'), 5, {}, '01936b2e-1c00-7000-8000-000000000003');
    matchGolden('rating-plain.json', mapRating(r, null, profile));
  });

  it('satisfaction keeps the provincial direction for every level (5 = 非常满意)', () => {
    for (const level of [1, 2, 3, 4, 5] as const) expect(mapRating(dev.rating(new Date(), level), null, profile).satisfaction).toBe(level);
  });

  it('a system default: 基本满意, pf 7, isDefault 1', () => {
    const out = mapDefault({ caseNo: 'LF2025092600003', windowId: 'W03', itemCode: 'X1', itemName: '营业执照变更', staffId: null }, new Date('2025-10-10T16:00:00Z'), profile);
    expect(out).toMatchObject({ satisfaction: 3, pf: 7, isDefault: 1, assessTime: '2025-10-11 00:00:00' });
    matchGolden('default-rating.json', out);
  });
});
