/**
 * The reference province: items mapped by mapping.ts, sent by http-sender.ts to the four endpoints
 * of wire.ts. It keeps the follow-up records of 差评 (`submitRectifications`) unless the profile says
 * `rectifications: false`: then the call is absent, as for a province that has no such interface.
 * An item the profile cannot map (a channel without a code) is refused here, without a request,
 * with a reason that says which setting is missing; the rest of its batch goes.
 */
import type { BatchAnswer, ItemOutcome, ProvinceAdapter } from '../../adapter.js';
import type { AmendmentItem, CorrectionItem, RatingItem, RectificationItem } from '../../items.js';
import { endpointsOf, type ReferenceConfig } from './config.js';
import { postSigned, type HttpSenderOptions } from './http-sender.js';
import { mapAmendment, mapCorrection, mapRating, mapRectification, UnmappableItem } from './mapping.js';

export class ReferenceAdapter implements ProvinceAdapter {
  readonly name = 'reference';
  private readonly endpoints;
  private readonly http: HttpSenderOptions;
  readonly submitRectifications?: (items: RectificationItem[]) => Promise<BatchAnswer>;

  constructor(private readonly config: ReferenceConfig) {
    this.endpoints = endpointsOf(config);
    this.http = { appId: config.appId, key: config.key, timeoutMs: config.timeoutMs };
    if (config.rectifications) this.submitRectifications = (items) => this.rectifications(items);
  }

  submitRatings(items: RatingItem[]): Promise<BatchAnswer> {
    return this.send(
      this.endpoints.ratings,
      'records',
      items,
      (i) => i.assessId,
      (i) => mapRating(i, this.config),
    );
  }

  submitCorrections(items: CorrectionItem[]): Promise<BatchAnswer> {
    return this.send(
      this.endpoints.corrections,
      'corrections',
      items,
      (i) => i.rating.assessId,
      (i) => mapCorrection(i, this.config),
    );
  }

  submitAmendments(items: AmendmentItem[]): Promise<BatchAnswer> {
    return this.send(
      this.endpoints.amendments,
      'amendments',
      items,
      (i) => i.assessId,
      (i) => mapAmendment(i, this.config),
    );
  }

  private rectifications(items: RectificationItem[]): Promise<BatchAnswer> {
    return this.send(
      this.endpoints.rectifications,
      'rectifications',
      items,
      (i) => i.assessId,
      (i) => mapRectification(i, this.config),
    );
  }

  private async send<T>(url: string, field: string, items: T[], idOf: (i: T) => string, map: (i: T) => unknown): Promise<BatchAnswer> {
    const refused = new Map<string, ItemOutcome>();
    const wire: unknown[] = [];
    for (const item of items) {
      try {
        wire.push(map(item));
      } catch (err) {
        if (!(err instanceof UnmappableItem)) throw err;
        refused.set(idOf(item), { status: 'rejected', reason: err.message });
      }
    }
    if (wire.length === 0) return { kind: 'answered', outcomes: refused };
    const answer = await postSigned(url, JSON.stringify({ [field]: wire }), this.http);
    if (answer.kind !== 'answered') return answer;
    for (const [id, o] of refused) answer.outcomes.set(id, o);
    return answer;
  }
}
