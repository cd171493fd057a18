/**
 * Province-neutral items (../../items.ts) → the reference wire form (wire.ts), by table
 * (docs/NATIONAL-SPEC.md rule 3). `satisfaction` there runs 1 = 非常不满意 … 5 = 非常满意, the same
 * direction as our level, so SATISFACTION is the identity — spelled out so nobody "fixes" it into
 * GB/T 39046's reversed codes. `windowNo` is the window's number (窗口编号), `pf` comes from the
 * profile's channel table (config.ts), issue 10 hole 7. No rater identity, no contact (R10).
 */
import type { AmendmentItem, CorrectionItem, RatingItem, RectificationItem } from '../../items.js';
import type { ReferenceProfile } from './config.js';
import type { NationalAmendment, NationalCorrection, NationalRating, NationalRectification } from './wire.js';

/** Internal level → provincial `satisfaction` (same direction). */
const SATISFACTION: Record<1 | 2 | 3 | 4 | 5, NationalRating['satisfaction']> = { 5: 5, 4: 4, 3: 3, 2: 2, 1: 1 };

/** Why an item cannot be put in this province's terms (a permanent refusal until the profile changes). */
export class UnmappableItem extends Error {}

/** `YYYY-MM-DD HH:mm:ss` in China time (UTC+8, no DST). */
export function chinaDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new UnmappableItem(`not a time: ${iso}`);
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function pfOf(channel: RatingItem['channel'], p: ReferenceProfile): number {
  const pf = p.pf[channel];
  if (pf === undefined)
    throw new UnmappableItem(`the province profile has no channel code for ${channel} ratings: set province.pf["${channel}"] (docs/NATIONAL-SPEC.md: never guessed)`);
  return pf;
}

export function mapRating(r: Omit<RatingItem, 'kind'>, p: ReferenceProfile): NationalRating {
  return {
    assessId: r.assessId,
    projectNo: r.caseNo ?? '',
    taskCode: r.item.code ?? '',
    taskName: r.item.name ?? '',
    areaCode: p.areaCode,
    deptCode: p.deptCode,
    windowNo: r.windowNumber ?? '',
    proManager: r.staffId ?? '',
    satisfaction: SATISFACTION[r.level],
    evalDetail: (r.reasons ?? []).join(','),
    writingEvaluation: r.comment ?? '',
    assessTime: chinaDateTime(r.pressedAt),
    assessNumber: r.assessNumber,
    pf: pfOf(r.channel, p),
    isDefault: r.isDefault ? 1 : 0,
    ...(p.version ? { version: p.version } : {}),
  };
}

export function mapCorrection(c: CorrectionItem, p: ReferenceProfile): NationalCorrection {
  return { ...mapRating(c.rating, p), replaces: c.replaces };
}

export function mapAmendment(a: AmendmentItem, p: ReferenceProfile): NationalAmendment {
  return {
    assessId: a.assessId,
    evalDetail: a.reasons.join(','),
    writingEvaluation: a.comment ?? '',
    ...(p.version ? { version: p.version } : {}),
  };
}

const IS_TRUE: Record<NonNullable<RectificationItem['finding']>, NationalRectification['isTrue']> = { true: '1', untrue: '0', partly: '2' };
const HANDLE_TYPE: Record<NonNullable<RectificationItem['resolution']>, NationalRectification['handleType']> = { immediate: 1, deadline: 2, explained: 3 };

export function mapRectification(r: RectificationItem, p: ReferenceProfile): NationalRectification {
  const at = (iso: string | null) => (iso ? chinaDateTime(iso) : '');
  return {
    assessId: r.assessId,
    revision: r.revision,
    stepType: r.step.kind,
    stepTime: chinaDateTime(r.step.at),
    stepSatisfaction: r.step.rerating === null ? 0 : SATISFACTION[r.step.rerating],
    projectNo: r.caseNo ?? '',
    areaCode: p.areaCode,
    deptCode: p.deptCode,
    isTrue: r.finding ? IS_TRUE[r.finding] : '',
    handleType: r.resolution ? HANDLE_TYPE[r.resolution] : 0,
    handleLevel: r.escalationLevel,
    deadline: r.dueDate ?? '',
    rectifyResult: r.actionTaken ?? '',
    rectifyTime: at(r.rectifiedAt),
    isReply: r.repliedAt ? 1 : 0,
    replyTime: at(r.repliedAt),
    isVisit: r.calledBackAt ? 1 : 0,
    visitTime: at(r.calledBackAt),
    visitSatisfaction: r.rerating === null ? 0 : SATISFACTION[r.rerating],
    visitDeclined: r.reratingDeclined ? 1 : 0,
    rootCause: r.rootCause ?? '',
    isFinish: r.state === 'closed' ? 1 : 0,
    finishTime: at(r.closedAt),
    reopenCount: r.reopenedCount,
    isValid: r.writtenOff ? 0 : 1,
    writeOffType: r.writtenOff?.kind ?? '',
    ...(p.version ? { version: p.version } : {}),
  };
}
