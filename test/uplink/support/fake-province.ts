/**
 * An in-memory province behind the ProvinceAdapter interface, for unit tests of what sits above
 * it. It keys ratings by case and number as a provincial system does (scripts/province-sim's
 * ledger), and province-contract.test.ts runs the same contract against it and against the
 * reference adapter talking to the simulator, so it is known to behave like them.
 */
import type { BatchAnswer, ItemOutcome, ProvinceAdapter } from '../../../gateway/uplink/adapter.js';
import type { AmendmentItem, CorrectionItem, RatingItem } from '../../../gateway/uplink/items.js';

type Rating = Omit<RatingItem, 'kind'>;

export interface FakeEntry {
  rating: Rating;
  kind: 'rating' | 'correction';
  replaces: string | null;
  replacedBy: string | null;
}

export interface FakeCaseView {
  first: FakeEntry | null;
  history: FakeEntry[];
  followUps: FakeEntry[];
  amendments: AmendmentItem[];
}

const refuse = (code: string, reason: string): ItemOutcome => ({ status: 'rejected', reason: `${code}: ${reason}` });

export class FakeProvince implements ProvinceAdapter {
  readonly name = 'fake';
  /** Every request, in order. */
  readonly calls: Array<{ kind: 'ratings' | 'corrections' | 'amendments'; ids: string[] }> = [];
  readonly rejectCaseNos = new Set<string>();
  /** While set, requests wait for it (to hold one on its way). */
  gate: Promise<void> | null = null;
  private readonly entries = new Map<string, FakeEntry>();
  private readonly order: string[] = [];
  private readonly current = new Map<string, string>();
  private readonly amendments = new Map<string, AmendmentItem>();
  private failing = 0;
  private losing = 0;

  /** The next `n` requests fail as a whole, storing nothing. */
  failNext(n = 1): void {
    this.failing += n;
  }

  /** The next `n` requests are stored but their answers are lost. */
  loseNextAnswers(n = 1): void {
    this.losing += n;
  }

  submitRatings(items: RatingItem[]): Promise<BatchAnswer> {
    return this.answer(
      'ratings',
      items,
      (i) => i.assessId,
      (i) => this.rating(i),
    );
  }

  submitCorrections(items: CorrectionItem[]): Promise<BatchAnswer> {
    return this.answer(
      'corrections',
      items,
      (i) => i.rating.assessId,
      (i) => this.correction(i),
    );
  }

  submitAmendments(items: AmendmentItem[]): Promise<BatchAnswer> {
    return this.answer(
      'amendments',
      items,
      (i) => i.assessId,
      (i) => this.amendment(i),
    );
  }

  view(caseNo: string): FakeCaseView {
    const all = this.order.map((id) => this.entries.get(id)!).filter((e) => e.rating.caseNo === caseNo);
    return {
      first: all.find((e) => e.rating.assessNumber === 1 && e.replacedBy === null) ?? null,
      history: all.filter((e) => e.replacedBy !== null),
      followUps: all.filter((e) => e.rating.assessNumber > 1 && e.replacedBy === null),
      amendments: [...this.amendments.values()].filter((a) => this.entries.get(a.assessId)?.rating.caseNo === caseNo),
    };
  }

  /** Every rating it holds (replaced ones too), in arrival order. */
  stored(): FakeEntry[] {
    return this.order.map((id) => this.entries.get(id)!);
  }

  private async answer<T>(kind: 'ratings' | 'corrections' | 'amendments', items: T[], idOf: (i: T) => string, take: (i: T) => ItemOutcome): Promise<BatchAnswer> {
    this.calls.push({ kind, ids: items.map(idOf) });
    if (this.gate) await this.gate;
    if (this.failing > 0) {
      this.failing--;
      return { kind: 'retryable', reason: 'fake province unavailable' };
    }
    const outcomes = new Map(items.map((i) => [idOf(i), take(i)]));
    if (this.losing > 0) {
      this.losing--;
      return { kind: 'retryable', reason: 'fake province: answer lost' };
    }
    return { kind: 'answered', outcomes };
  }

  private key(r: Rating): string | null {
    return r.caseNo === null ? null : `${r.caseNo}#${r.assessNumber}`;
  }

  private store(r: Rating, kind: FakeEntry['kind'], replaces: string | null): void {
    this.entries.set(r.assessId, { rating: r, kind, replaces, replacedBy: null });
    this.order.push(r.assessId);
    const key = this.key(r);
    if (key) this.current.set(key, r.assessId);
  }

  private rating(r: RatingItem): ItemOutcome {
    if (this.entries.has(r.assessId)) return { status: 'duplicate' };
    if (r.caseNo !== null && this.rejectCaseNos.has(r.caseNo)) return refuse('not-registered', `case ${r.caseNo}`);
    const key = this.key(r);
    if (key && this.current.has(key)) return refuse(r.assessNumber === 1 ? 'first-rating-exists' : 'assess-number-taken', `case ${r.caseNo} has ${this.current.get(key)}`);
    if (r.caseNo !== null && r.assessNumber > 1 && !this.current.has(`${r.caseNo}#1`)) return refuse('no-first-rating', `case ${r.caseNo}`);
    const { kind: _k, ...rating } = r;
    this.store(rating, 'rating', null);
    return { status: 'accepted' };
  }

  private correction(c: CorrectionItem): ItemOutcome {
    if (this.entries.has(c.rating.assessId)) return { status: 'duplicate' };
    if (c.rating.caseNo !== null && this.rejectCaseNos.has(c.rating.caseNo)) return refuse('not-registered', `case ${c.rating.caseNo}`);
    const old = this.entries.get(c.replaces);
    if (!old) return refuse('unknown-rating', c.replaces);
    if (old.replacedBy !== null) return refuse('already-replaced', `${c.replaces} by ${old.replacedBy}`);
    if (old.rating.caseNo !== c.rating.caseNo || old.rating.assessNumber !== c.rating.assessNumber) return refuse('correction-mismatch', c.replaces);
    old.replacedBy = c.rating.assessId;
    this.store(c.rating, 'correction', c.replaces);
    return { status: 'accepted' };
  }

  private amendment(a: AmendmentItem): ItemOutcome {
    const e = this.entries.get(a.assessId);
    if (!e) return refuse('unknown-rating', a.assessId);
    if (e.rating.caseNo !== null && this.rejectCaseNos.has(e.rating.caseNo)) return refuse('not-registered', `case ${e.rating.caseNo}`);
    const had = this.amendments.get(a.assessId);
    if (had) return JSON.stringify(had) === JSON.stringify(a) ? { status: 'duplicate' } : refuse('already-amended', a.assessId);
    this.amendments.set(a.assessId, a);
    e.rating = { ...e.rating, reasons: a.reasons, comment: a.comment };
    return { status: 'accepted' };
  }
}
