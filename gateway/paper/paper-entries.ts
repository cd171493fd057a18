/**
 * Entering a filled 评议卡 (RULES.md R6; docs/PAPER.md "Enter"): its rating goes into the ledger as
 * any other (gateway/channels/channel-ratings.ts: channel `paper-card`, assessId `card-<serial>`,
 * exactly once), so the uplink, the 差评 follow-up and the reports take it from there.
 *
 *  - Refused: a serial that is not one or whose check character does not match (a typo), a serial
 *    this hall never printed, a card entered already or rated by phone with its QR code (a card
 *    counts once), a service day in the future or before the card was printed, a window outside a
 *    department head's departments.
 *  - Late — more than `paper.entryWorkingDays` working days (default 5; the hall's calendar, with
 *    holidays and 调休 days) after the service day: stored all the same, since the citizen's word
 *    counts whenever staff get to it, and flagged `paper-late-entry` on the rating and in the list.
 *  - Dated: the service time when staff give it, else noon China time of the service day. A card
 *    carries a date only; noon keeps the rating on that China date whichever way a report reads the
 *    instant (UTC or UTC+8) and inside the hall's opening hours. A card of today entered before
 *    noon is dated at the entry instead: a rating is never dated in the future.
 *  - Audited with who entered it; nothing about the rater is asked or kept.
 */
import { sql } from 'kysely';
import type { SessionUser } from '../http/console-auth.js';
import type { AuditLog } from '../audit/audit-log.js';
import { CalendarYearMissingError, chinaDate, type WorkingDayCalendar } from '../calendar/working-days.js';
import { recordChannelRating } from '../channels/channel-ratings.js';
import type { Clock, GatewayEventBus, HallSettings } from '../feature.js';
import type { Db, GatewayStore } from '../store/database.js';
import { cardAssessId, formatSerial, readSerial } from './card-serial.js';
import { mustReach, reachableWindows } from './paper-access.js';
import { PaperError } from './paper-error.js';
import type { EntryInput, EntryView } from './paper-schemas.js';

export const LATE_FLAG = 'paper-late-entry';

export interface PaperEntryParts {
  store: GatewayStore;
  clock: Clock;
  audit: AuditLog;
  events: GatewayEventBus;
  hall: HallSettings;
  calendar: WorkingDayCalendar;
  entryWorkingDays: number;
}

export class PaperEntries {
  constructor(private readonly p: PaperEntryParts) {}

  /** The card a typed or scanned serial names, in `user`'s reach; refusals as PaperError. */
  async card(db: Db, user: SessionUser, input: string) {
    const read = readSerial(input);
    if (!read.ok) throw new PaperError('bad-serial', `serial: ${read.message}`);
    const card = await db
      .selectFrom('paper_cards as c')
      .innerJoin('windows as w', 'w.window_id', 'c.window_id')
      .select(['c.serial', 'c.batch_id', 'c.printed_at', 'c.entered_at', 'c.entered_by', 'w.window_id', 'w.number', 'w.department', 'w.department_id'])
      .where('c.serial', '=', read.serial)
      .executeTakeFirst();
    if (!card) throw new PaperError('unknown-card', `serial: no card ${formatSerial(read.serial)} was printed by this hall — check the number, or enter it where it was printed`);
    await mustReach(db, user, card, `card ${formatSerial(card.serial)}`);
    if (read.windowId !== null && read.windowId !== card.window_id) {
      throw new PaperError('bad-serial', `serial: the scanned code names window ${read.windowId}, but card ${formatSerial(card.serial)} was printed for window ${card.number}`);
    }
    const phone = await db.selectFrom('assessments').select(['channel', 'created_at']).where('assess_id', '=', cardAssessId(card.serial)).executeTakeFirst();
    return { ...card, ratedByPhone: card.entered_at === null && phone !== undefined ? phone : null };
  }

  async lookup(user: SessionUser, input: string) {
    const c = await this.card(this.p.store.db, user, input);
    return {
      serial: formatSerial(c.serial),
      windowId: c.window_id,
      windowNumber: c.number,
      department: c.department,
      batchId: c.batch_id,
      printedAt: c.printed_at,
      state: c.entered_at ? ('entered' as const) : c.ratedByPhone ? ('rated-by-phone' as const) : ('blank' as const),
      enteredAt: c.entered_at,
      enteredBy: c.entered_by,
    };
  }

  async enter(user: SessionUser, e: EntryInput, remote: string | null): Promise<EntryView> {
    const nowMs = this.p.clock.now();
    const now = new Date(nowMs).toISOString();
    const today = chinaDate(new Date(nowMs));
    const entered = await this.p.store.write(async (trx) => {
      const card = await this.card(trx, user, e.serial);
      const shown = formatSerial(card.serial);
      if (card.entered_at)
        throw new PaperError('already-entered', `serial: card ${shown} was entered already, on ${card.entered_at} by ${card.entered_by ?? '?'}; a card is entered once`);
      if (card.ratedByPhone)
        throw new PaperError('already-rated', `serial: card ${shown} was rated by phone with its QR code (${card.ratedByPhone.created_at}); a card counts once`);

      const printedDate = chinaDate(new Date(card.printed_at));
      if (e.serviceDate > today) throw new PaperError('bad-date', `serviceDate: ${e.serviceDate} is in the future (today is ${today})`);
      if (e.serviceDate < printedDate) throw new PaperError('bad-date', `serviceDate: ${e.serviceDate} is before card ${shown} was printed (${printedDate})`);
      const ratedAt = ratedAtOf(e.serviceDate, e.serviceTime, nowMs);
      if (Date.parse(ratedAt) > nowMs) throw new PaperError('bad-date', `serviceTime: ${e.serviceDate} ${e.serviceTime} is later than now`);
      const { workingDaysAfter, dueDate } = this.lateness(e.serviceDate, today);
      const late = workingDaysAfter > this.p.entryWorkingDays;

      const outcome = await recordChannelRating(
        trx,
        {
          assessId: cardAssessId(card.serial),
          channel: 'paper-card',
          windowId: card.window_id,
          level: e.level,
          ratedAt,
          reasons: e.reasons,
          ...(e.comment ? { comment: e.comment } : {}),
          catalogueVersion: this.p.hall.catalogueVersion,
          flags: late ? [LATE_FLAG] : [],
        },
        now,
      );
      if (!outcome.stored) {
        if (outcome.why === 'bad-reasons') throw new PaperError('bad-reasons', `reasons: ${outcome.message}`);
        if (outcome.why === 'duplicate') throw new PaperError('already-rated', `serial: card ${shown} is rated already; a card counts once`);
        throw new PaperError('invalid', outcome.message);
      }
      const moved = await trx
        .updateTable('paper_cards')
        .set({ entered_at: now, entered_by: user.username, service_date: e.serviceDate, rated_at: ratedAt, working_days_after: workingDaysAfter, late: late ? 1 : 0 })
        .where('serial', '=', card.serial)
        .where('entered_at', 'is', null)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new PaperError('already-entered', `serial: card ${shown} was entered already; a card is entered once`);
      await this.p.audit.record(
        {
          actor: user.username,
          action: 'paper-card-entered',
          subject: card.serial,
          detail: { windowId: card.window_id, serviceDate: e.serviceDate, late, workingDaysAfter },
          remote,
        },
        trx,
      );
      return { card, ratedAt, workingDaysAfter, late, dueDate };
    });
    this.p.events.emit('assessments-changed', { by: 'channel' });
    return (await this.list(user, { serial: entered.card.serial, limit: 1 }))[0]!;
  }

  /** Working days from the service to `today`, and the last on-time day. */
  private lateness(serviceDate: string, today: string): { workingDaysAfter: number; dueDate: string } {
    try {
      return {
        workingDaysAfter: this.p.calendar.workingDaysBetween(serviceDate, today),
        dueDate: this.p.calendar.addWorkingDays(serviceDate, this.p.entryWorkingDays),
      };
    } catch (err) {
      if (err instanceof CalendarYearMissingError) throw new PaperError('calendar-missing', `${err.message} (paper.calendarOverrideFile)`);
      throw err;
    }
  }

  /** Entered cards, newest entry first (a department head: their windows'). */
  async list(user: SessionUser, q: { late?: boolean | undefined; windowId?: string | undefined; serial?: string; limit: number }): Promise<EntryView[]> {
    const db = this.p.store.db;
    const windows = await reachableWindows(db, user);
    if (windows !== null && windows.length === 0) return [];
    let query = db
      .selectFrom('paper_cards as c')
      .innerJoin('windows as w', 'w.window_id', 'c.window_id')
      .innerJoin('assessments as a', (j) => j.on(sql<boolean>`a.assess_id = 'card-' || c.serial`))
      .select([
        'c.serial',
        'c.window_id',
        'w.number',
        'w.department',
        'c.service_date',
        'c.rated_at',
        'c.entered_at',
        'c.entered_by',
        'c.working_days_after',
        'c.late',
        'a.level',
        'a.reasons',
        'a.comment',
      ])
      .where('c.entered_at', 'is not', null)
      .orderBy('c.entered_at', 'desc')
      .limit(q.limit);
    if (windows !== null) query = query.where('c.window_id', 'in', windows);
    if (q.windowId) query = query.where('c.window_id', '=', q.windowId);
    if (q.serial) query = query.where('c.serial', '=', q.serial);
    if (q.late !== undefined) query = query.where('c.late', '=', q.late ? 1 : 0);
    const rows = await query.execute();
    return rows.map((r) => ({
      serial: formatSerial(r.serial),
      assessId: cardAssessId(r.serial),
      windowId: r.window_id,
      windowNumber: r.number,
      department: r.department,
      level: r.level,
      reasons: r.reasons ? (JSON.parse(r.reasons) as number[]) : [],
      hasComment: Boolean(r.comment),
      serviceDate: r.service_date ?? '',
      ratedAt: r.rated_at ?? '',
      enteredAt: r.entered_at ?? '',
      enteredBy: r.entered_by ?? '',
      workingDaysAfter: r.working_days_after ?? 0,
      late: r.late === 1,
      dueDate: this.safeDue(r.service_date ?? ''),
    }));
  }

  private safeDue(serviceDate: string): string {
    try {
      return this.p.calendar.addWorkingDays(serviceDate, this.p.entryWorkingDays);
    } catch {
      return '';
    }
  }
}

/** When the card's rating is dated (see the header): the given time, else noon China time — or now, if that is earlier. */
export function ratedAtOf(serviceDate: string, serviceTime: string | undefined, nowMs: number): string {
  if (serviceTime) return new Date(`${serviceDate}T${serviceTime}:00+08:00`).toISOString();
  const noon = Date.parse(`${serviceDate}T12:00:00+08:00`);
  return new Date(Math.min(noon, nowMs)).toISOString();
}
