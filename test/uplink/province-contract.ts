/**
 * What every province adapter must do, as one suite run against each (the way MQTT.js runs one
 * store suite against every store, test/node/abstract_store.ts): against the reference adapter
 * talking to the simulator over loopback, and against the in-memory fake the unit tests use — so
 * the fake is shown to behave like the real thing. A new province's adapter runs it against its
 * own test double of the province.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchAnswer, ItemOutcome, ProvinceAdapter } from '../../gateway/uplink/adapter.js';
import type { AmendmentItem, CorrectionItem, RatingItem } from '../../gateway/uplink/items.js';

/** What the province holds for a case, in neutral terms. */
export interface ProvinceCaseView {
  first: { assessId: string; level: number; reasons: number[]; comment: string } | null;
  /** Replaced ratings (by corrections), oldest first. */
  replaced: string[];
  followUps: Array<{ assessId: string; assessNumber: number }>;
  amendments: string[];
}

export interface ProvinceUnderTest {
  adapter: ProvinceAdapter;
  view(caseNo: string): ProvinceCaseView | Promise<ProvinceCaseView>;
  /** The next request fails as a whole before anything is stored (a 5xx). */
  failNext(): void | Promise<void>;
  /** The next request is stored but its answer never arrives. */
  loseNextAnswer(): void | Promise<void>;
  close(): Promise<void>;
}

let n = 0;
export function ratingItem(o: Partial<RatingItem> = {}): RatingItem {
  n++;
  return {
    kind: 'rating',
    assessId: uuidv7(),
    caseNo: `CT-${process.pid}-${n}`,
    assessNumber: 1,
    item: { code: 'I-1', name: '事项' },
    windowNumber: '07',
    department: '市场监管局',
    staffId: 'staff-07',
    level: 5,
    reasons: null,
    comment: null,
    pressedAt: '2026-03-02T02:00:00.000Z',
    channel: 'device-touch',
    isDefault: false,
    clockFlag: null,
    ...o,
  };
}

function defaultItem(caseNo: string): RatingItem {
  return ratingItem({ assessId: `default-${caseNo}`, caseNo, level: 3, channel: 'default', isDefault: true, staffId: null });
}

function correctionOf(replaces: string, r: RatingItem): CorrectionItem {
  const { kind: _kind, ...rating } = r;
  return { kind: 'correction', rating, replaces };
}

function outcome(a: BatchAnswer, id: string): ItemOutcome | undefined {
  expect(a.kind, a.kind === 'retryable' ? a.reason : '').toBe('answered');
  return a.kind === 'answered' ? a.outcomes.get(id) : undefined;
}

export function provinceContract(name: string, make: () => Promise<ProvinceUnderTest>): void {
  describe(`province contract: ${name}`, () => {
    let p: ProvinceUnderTest;
    beforeEach(async () => {
      p = await make();
    });
    afterEach(async () => {
      await p.close();
    });

    it('accepts a first rating once; a resend is a duplicate', async () => {
      const r = ratingItem({ level: 1 });
      expect(outcome(await p.adapter.submitRatings([r]), r.assessId)).toEqual({ status: 'accepted' });
      expect(outcome(await p.adapter.submitRatings([r]), r.assessId)).toEqual({ status: 'duplicate' });
      expect((await p.view(r.caseNo!)).first).toMatchObject({ assessId: r.assessId, level: 1 });
    });

    it('refuses a second first rating for the same case, for good', async () => {
      const r1 = ratingItem();
      const r2 = ratingItem({ caseNo: r1.caseNo, level: 2 });
      await p.adapter.submitRatings([r1]);
      expect(outcome(await p.adapter.submitRatings([r2]), r2.assessId)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/first-rating-exists/) });
      expect((await p.view(r1.caseNo!)).first?.assessId).toBe(r1.assessId);
    });

    it('takes a correction in place of the first rating and keeps the replaced one as history', async () => {
      const d = defaultItem(`CT-C-${process.pid}-${++n}`);
      const real = ratingItem({ caseNo: d.caseNo, level: 4 });
      expect(outcome(await p.adapter.submitRatings([d]), d.assessId)).toEqual({ status: 'accepted' });
      const c = correctionOf(d.assessId, real);
      expect(outcome(await p.adapter.submitCorrections([c]), real.assessId)).toEqual({ status: 'accepted' });
      expect(outcome(await p.adapter.submitCorrections([c]), real.assessId)).toEqual({ status: 'duplicate' });
      // The replaced rating is still known: a late resend of it is a duplicate, not a second first rating.
      expect(outcome(await p.adapter.submitRatings([d]), d.assessId)).toEqual({ status: 'duplicate' });
      const v = await p.view(d.caseNo!);
      expect(v.first).toMatchObject({ assessId: real.assessId, level: 4 });
      expect(v.replaced).toEqual([d.assessId]);
    });

    it('refuses a correction of a rating it does not hold', async () => {
      const real = ratingItem();
      expect(outcome(await p.adapter.submitCorrections([correctionOf('default-nowhere', real)]), real.assessId)).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/unknown-rating/),
      });
    });

    it('accepts a 追加评价 beside the first rating, and refuses one before any first rating', async () => {
      const first = ratingItem();
      const again = ratingItem({ caseNo: first.caseNo, assessNumber: 2, level: 2 });
      const orphan = ratingItem({ assessNumber: 2 });
      expect(outcome(await p.adapter.submitRatings([orphan]), orphan.assessId)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/no-first-rating/) });
      await p.adapter.submitRatings([first]);
      expect(outcome(await p.adapter.submitRatings([again]), again.assessId)).toEqual({ status: 'accepted' });
      const v = await p.view(first.caseNo!);
      expect(v.first?.assessId).toBe(first.assessId);
      expect(v.followUps).toEqual([{ assessId: again.assessId, assessNumber: 2 }]);
    });

    it('applies an amendment to its rating once; refuses one for a rating it does not hold', async () => {
      const r = ratingItem({ level: 1 });
      await p.adapter.submitRatings([r]);
      const a: AmendmentItem = { kind: 'amendment', assessId: r.assessId, reasons: [113, 115], comment: '材料要求前后不一致' };
      expect(outcome(await p.adapter.submitAmendments([a]), r.assessId)).toEqual({ status: 'accepted' });
      expect(outcome(await p.adapter.submitAmendments([a]), r.assessId)).toEqual({ status: 'duplicate' });
      const v = await p.view(r.caseNo!);
      expect(v.first).toMatchObject({ reasons: [113, 115], comment: '材料要求前后不一致' });
      expect(v.amendments).toEqual([r.assessId]);
      const stray: AmendmentItem = { kind: 'amendment', assessId: uuidv7(), reasons: [209], comment: null };
      expect(outcome(await p.adapter.submitAmendments([stray]), stray.assessId)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/unknown-rating/) });
    });

    it('answers each item of a batch on its own', async () => {
      const a = ratingItem();
      const b = ratingItem({ caseNo: a.caseNo });
      const c = ratingItem({ caseNo: null });
      const answer = await p.adapter.submitRatings([a, b, c]);
      expect(outcome(answer, a.assessId)).toEqual({ status: 'accepted' });
      expect(outcome(answer, b.assessId)?.status).toBe('rejected');
      // A rating without a case is keyed by its id alone.
      expect(outcome(answer, c.assessId)).toEqual({ status: 'accepted' });
    });

    it('reports a failed request as retryable and stores nothing', async () => {
      const r = ratingItem();
      await p.failNext();
      expect((await p.adapter.submitRatings([r])).kind).toBe('retryable');
      expect((await p.view(r.caseNo!)).first).toBeNull();
      expect(outcome(await p.adapter.submitRatings([r]), r.assessId)).toEqual({ status: 'accepted' });
    });

    it('reports a lost answer as retryable; the resend is answered duplicate', async () => {
      const r = ratingItem();
      await p.loseNextAnswer();
      expect((await p.adapter.submitRatings([r])).kind).toBe('retryable');
      expect(outcome(await p.adapter.submitRatings([r]), r.assessId)).toEqual({ status: 'duplicate' });
    });
  });
}
