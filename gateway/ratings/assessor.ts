/**
 * Turns stored device records into the hall's ratings ledger (assessments.ts), in ingest order,
 * on its own cursor advanced in the same transaction: exactly once across crashes.
 *
 * A rating naming a case (R9) is numbered by the case, decided by when it was pressed (the device
 * clock corrected at ingest), not by when it arrived (issue 10, hole 2):
 *  - the case's first rating is assessNumber 1;
 *  - a case already given its R7 default: pressed before the deadline ran out, the rating replaces
 *    the default (a correction at the province, still assessNumber 1); pressed after, it is a
 *    追加评价 (assessNumber 2, 3 …) beside the default;
 *  - a rating pressed after the deadline of a case nobody had defaulted yet: the default is given
 *    first, as the scheduler would have, and the rating is a 追加评价;
 *  - a further rating of a rated case (a second invitation for it): a 追加评价.
 * A detail record (reasons, comment, a sealed call-back contact) completes its rating's row.
 */
import type { Logger } from 'pino';
import type { ChainRecord, DetailRecord, RatingRecord } from '@hcp/contract';
import type { Clock } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import { insertAssessment, lastAssessNumber, logChange } from './assessments.js';
import { deadlineEnd, giveDefault } from './case-defaults.js';

const CURSOR = 'assessor';
const CHUNK = 1000;

interface RecordRow {
  ingest_seq: number;
  device_id: string;
  epoch: number;
  body: string;
  at_corrected: string;
  clock_flag: string | null;
}

export class Assessor {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onChanged: () => void,
  ) {}

  /** Records were stored: assess them soon (coalesced; never two runs at once). */
  notify(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilDone().finally(() => (this.running = null));
  }

  /** Assess everything stored so far; resolves when done. */
  async catchUp(): Promise<void> {
    while (this.running) await this.running;
    this.notify();
    while (this.running) await this.running;
  }

  private async runUntilDone(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.pump()) > 0);
      } catch (err) {
        this.logger.error({ err }, 'assessing stored records failed; will retry on the next notification');
        return;
      }
    } while (this.again);
  }

  /** Assess up to one chunk; returns how many records were read. */
  async pump(): Promise<number> {
    const result = await this.store.write(async (trx) => {
      const cursor = await trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst();
      const from = cursor?.position ?? 0;
      const rows: RecordRow[] = await trx
        .selectFrom('records')
        .select(['ingest_seq', 'device_id', 'epoch', 'body', 'at_corrected', 'clock_flag'])
        .where('ingest_seq', '>', from)
        .orderBy('ingest_seq')
        .limit(CHUNK)
        .execute();
      if (rows.length === 0) return { read: 0 };
      const now = new Date(this.clock.now()).toISOString();
      const places = new Places(trx);
      for (const row of rows) {
        const rec = JSON.parse(row.body) as ChainRecord;
        if (rec.kind === 'rating') await this.rating(trx, rec, row, places, now);
        else await this.detail(trx, rec, now);
      }
      const last = rows[rows.length - 1]!.ingest_seq;
      await trx
        .insertInto('cursors')
        .values({ name: CURSOR, position: last })
        .onConflict((oc) => oc.column('name').doUpdateSet({ position: last }))
        .execute();
      return { read: rows.length };
    });
    if (result.read > 0) this.onChanged();
    return result.read;
  }

  private async rating(trx: Tx, r: RatingRecord, row: RecordRow, places: Places, now: string): Promise<void> {
    const pressedAt = row.at_corrected;
    const caseNo = r.invitation.caseNo ?? null;
    let assessNumber = 1;
    let replaces: string | null = null;
    let item = { code: r.invitation.itemCode ?? null, name: r.invitation.itemName ?? null };
    if (caseNo) {
      const c = await trx.selectFrom('cases').selectAll().where('case_no', '=', caseNo).executeTakeFirst();
      if (c) {
        item = { code: item.code ?? c.item_code, name: item.name ?? c.item_name };
        const late = c.deadline_date !== null && Date.parse(pressedAt) >= deadlineEnd(c.deadline_date);
        if (c.state === 'open' && late) await giveDefault(trx, c, now);
        const state = c.state === 'open' && late ? 'defaulted' : c.state;
        if (state === 'defaulted' && !late && c.first_assess_id) {
          // Pressed in time, arrived after the default: it replaces the default.
          replaces = c.first_assess_id;
          await trx.updateTable('assessments').set({ superseded_by: r.id }).where('assess_id', '=', replaces).execute();
          await logChange(trx, replaces, 'superseded', now);
          await trx.updateTable('cases').set({ state: 'rated', first_assess_id: r.id, rated_at: pressedAt }).where('case_no', '=', caseNo).execute();
        } else if ((state === 'open' || state === 'withdrawn') && !c.first_assess_id) {
          await trx
            .updateTable('cases')
            .set({ ...(state === 'open' ? { state: 'rated' } : {}), first_assess_id: r.id, rated_at: pressedAt })
            .where('case_no', '=', caseNo)
            .execute();
        } else {
          assessNumber = (await lastAssessNumber(trx, caseNo)) + 1;
        }
      }
    }
    const place = await places.of(r.windowId, row.device_id);
    await insertAssessment(
      trx,
      {
        assess_id: r.id,
        source: 'device',
        channel: r.channel,
        record_id: r.id,
        device_id: row.device_id,
        case_no: caseNo,
        assess_number: assessNumber,
        level: r.level,
        pressed_at: pressedAt,
        clock_flag: row.clock_flag,
        window_id: place.windowId,
        window_number: place.number,
        department: place.department,
        staff_id: r.staffId ?? null,
        item_code: item.code,
        item_name: item.name,
        catalogue_version: r.catalogueVersion,
        is_default: 0,
        replaces,
        reasons: null,
        comment: null,
        contact_record_id: null,
        details_at: null,
        flags: JSON.stringify(r.facts.flags),
      },
      now,
    );
  }

  private async detail(trx: Tx, d: DetailRecord, now: string): Promise<void> {
    const done = await trx
      .updateTable('assessments')
      .set({ reasons: JSON.stringify(d.reasons), comment: d.comment ?? null, contact_record_id: d.contact ? d.id : null, details_at: now })
      .where('record_id', '=', d.ratingId)
      .where('details_at', 'is', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 1) await logChange(trx, d.ratingId, 'details', now);
    else this.logger.warn({ detailId: d.id }, 'a detail record names no rating waiting for details: ignored');
  }
}

/** Window numbers and departments, looked up once per chunk. */
class Places {
  private windows: Map<string, { number: string; department: string }> | null = null;
  private readonly deviceWindow = new Map<string, string | null>();

  constructor(private readonly trx: Tx) {}

  async of(windowId: string, deviceId: string): Promise<{ windowId: string; number: string | null; department: string | null }> {
    this.windows ??= new Map((await this.trx.selectFrom('windows').select(['window_id', 'number', 'department']).execute()).map((w) => [w.window_id, w]));
    let w = this.windows.get(windowId);
    let id = windowId;
    if (!w) {
      // A device still on its bootstrap config names a window id the registry may not know: use the one it is registered for.
      if (!this.deviceWindow.has(deviceId)) {
        this.deviceWindow.set(deviceId, (await this.trx.selectFrom('devices').select('window_id').where('device_id', '=', deviceId).executeTakeFirst())?.window_id ?? null);
      }
      const registered = this.deviceWindow.get(deviceId);
      if (registered && this.windows.get(registered)) {
        id = registered;
        w = this.windows.get(registered);
      }
    }
    return { windowId: id, number: w?.number ?? null, department: w?.department ?? null };
  }
}
