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
import type { DetailRecord, RatingRecord } from '@hcp/contract';
import type { Clock } from '../feature.js';
import type { Db, GatewayStore, Tx } from '../store/database.js';
import type { CasesTable } from '../store/tables.js';
import { LedgerWrites, lastAssessNumber, ledgerStatements, type LedgerStatements } from './assessments.js';
import { deadlineEnd, defaultAssessId, giveDefault } from './case-defaults.js';
import { type RecordRow, type RecordToAssess, recordsToAssess } from './records-to-assess.js';

const CURSOR = 'assessor';
const CHUNK = 250;
/**
 * While devices send, the assessor takes a small chunk at a time, one every PACE_MS: a chunk holds
 * the event loop for its whole transaction (better-sqlite3 is synchronous), and a chunk of 250
 * once a second held every press behind it (in a profile of bench:gateway's press→ack phase the
 * slow acks came in clusters a second apart; issue 14). 64 every 200 ms keeps up with 320
 * ratings/s — a hall's steady traffic is far less; what a burst leaves behind is caught up in
 * full chunks once it ends. Not smaller and more often: each chunk is a commit of its own, and
 * sets off the follow-up opener's and the uplink's (each a commit and a flush of the WAL, holding
 * the store's one connection while presses wait). 16 every 50 ms gave press→ack p99 12.0–21.5 ms
 * (median 18.4) in five rounds at 200 presses/s from 500 devices, 64 every 200 ms 11.6–16.7 ms
 * (median 15.8), interleaved (BASE=e163b4d STORE=sqlite ROUNDS=5 npx tsx scripts/bench/code-ab.ts).
 */
const SMALL_CHUNK = 64;
const PACE_MS = 200;
/** How often catchUp looks again while another assessor holds the cursor. */
const HELD_WAIT_MS = 25;

/**
 * What `pump` returns when another assessor holds the cursor: on PostgreSQL one runs in every
 * worker, and catchUp can run beside the paced run. The holder is assessing those very records.
 */
export const CURSOR_HELD = 'held';

/** The ingest_seq the assessor's cursor has reached (0 before its first chunk). */
async function assessedThrough(q: Db | Tx): Promise<number> {
  const r = await q.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst();
  return Number(r?.position ?? 0);
}

/** PostgreSQL's lock_not_available: a NOWAIT lock was held by another transaction. */
const LOCK_NOT_AVAILABLE = '55P03';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What assessChunk returns when another assessor moved the cursor since the chunk's records were read. */
const CURSOR_MOVED = 'moved';

export class Assessor {
  private running: Promise<void> | null = null;
  private again = false;
  private fast: LedgerStatements | null | undefined;
  private cursorRow: Promise<void> | undefined;
  /** PostgreSQL: keep the ledger inserts' texts prepared (GatewayStore.keepPrepared). */
  private readonly keepPrepared: ((text: string) => void) | undefined;

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onChanged: () => void,
    /**
     * Whether devices are sending: acknowledging them comes first (their stores wait on acks), so
     * the assessor goes on in small paced chunks meanwhile.
     */
    private readonly ingestBusy: () => boolean = () => false,
  ) {
    this.keepPrepared = store.keepPrepared?.bind(store);
  }

  /** Records were stored: assess them soon (coalesced; never two runs at once). */
  notify(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilDone().finally(() => (this.running = null));
  }

  /**
   * Assess everything stored before this call; resolves when done. Records stored meanwhile are
   * the paced run's (notify). Waiting instead for the assessor to have nothing left never ended
   * while devices kept sending: a gateway starting amid a drill's resends (the default scheduler
   * catches up before its first tick) never said it was ready.
   */
  async catchUp(): Promise<void> {
    const target = await this.storedThrough();
    // Full chunks whatever ingest is doing: the caller is waiting. Another assessor holding the
    // cursor (a paced run, another worker's) moves it on meanwhile: look again shortly.
    while ((await assessedThrough(this.store.db)) < target) {
      const read = await this.pump(CHUNK);
      if (read === 0) return;
      if (read === CURSOR_HELD) await sleep(HELD_WAIT_MS);
    }
  }

  private async storedThrough(): Promise<number> {
    const r = await this.store.db
      .selectFrom('records')
      .select((eb) => eb.fn.max('ingest_seq').as('last'))
      .executeTakeFirst();
    return Number(r?.last ?? 0);
  }

  private async runUntilDone(): Promise<void> {
    do {
      this.again = false;
      try {
        // Until a chunk reads nothing; one held elsewhere is looked at again a pace later.
        for (let held = false; ; ) {
          const busy = this.ingestBusy();
          if (busy || held) await sleep(PACE_MS);
          const read = await this.pump(busy ? SMALL_CHUNK : CHUNK);
          if (read === 0) break;
          held = read === CURSOR_HELD;
        }
      } catch (err) {
        this.logger.error({ err }, 'assessing stored records failed; will retry on the next notification');
        return;
      }
    } while (this.again);
  }

  /** Assess up to `chunk` records; returns how many were read, or CURSOR_HELD. */
  async pump(chunk = CHUNK): Promise<number | typeof CURSOR_HELD> {
    if (this.store.dialect === 'postgres') {
      this.cursorRow ??= this.createCursorRow().catch((err: unknown) => {
        this.cursorRow = undefined;
        throw err;
      });
      await this.cursorRow;
    }
    for (;;) {
      // The records are read before the chunk's transaction, not in it (records-to-assess.ts says why).
      const from = await assessedThrough(this.store.db);
      const records = await recordsToAssess(this.store.db, from, chunk);
      if (records.length === 0) return 0;
      let result: typeof CURSOR_MOVED | undefined;
      try {
        result = await this.store.write((trx) => this.assessChunk(trx, from, records));
      } catch (err) {
        if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return CURSOR_HELD;
        throw err;
      }
      // Another assessor assessed them between the read and the transaction: read on from where it stopped.
      if (result === CURSOR_MOVED) continue;
      this.onChanged();
      return records.length;
    }
  }

  /**
   * On PostgreSQL two chunks can run at once, and both would read the same records: they met at
   * the ledger's key, a unique violation (PostgreSQL reports a serialization failure there only
   * when the transaction had read that key), and the loser failed. So a chunk first locks the
   * cursor's row, NOWAIT: the second gives way at once instead of waiting for a lock whose holder
   * moves the cursor past what its snapshot shows. SQLite's writers take turns already.
   */
  private async takeCursor(trx: Tx): Promise<number> {
    if (this.store.dialect !== 'postgres') return assessedThrough(trx);
    const r = await trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).forUpdate().noWait().executeTakeFirstOrThrow();
    return Number(r.position);
  }

  /** The row takeCursor locks (a lock needs a row): created once, by whichever assessor is first. */
  private async createCursorRow(): Promise<void> {
    await this.store.write((trx) =>
      trx
        .insertInto('cursors')
        .values({ name: CURSOR, position: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute(),
    );
  }

  /** Assess `records`, read after `from`; CURSOR_MOVED, writing nothing, if the cursor is no longer there. */
  private async assessChunk(trx: Tx, from: number, records: RecordToAssess[]): Promise<typeof CURSOR_MOVED | undefined> {
    if ((await this.takeCursor(trx)) !== from) return CURSOR_MOVED;
    const now = new Date(this.clock.now()).toISOString();
    // Prepared on first use: the tables exist by then (the store is migrated before anything runs).
    this.fast ??= ledgerStatements(this.store);
    const step: Step = { trx, now, writes: new LedgerWrites(trx, now, this.fast, this.keepPrepared), places: new Places(trx), cases: new Map() };
    await this.loadCases(
      step,
      records.flatMap(({ rec }) => (rec.kind === 'rating' && rec.invitation.caseNo ? [rec.invitation.caseNo] : [])),
    );
    for (const { row, rec } of records) {
      if (rec.kind === 'rating') await this.rating(step, rec, row);
      else await this.detail(step, rec);
    }
    await step.writes.flush();
    const last = records[records.length - 1]!.row.ingest_seq;
    await trx
      .insertInto('cursors')
      .values({ name: CURSOR, position: last })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: last }))
      .execute();
    return undefined;
  }

  private async loadCases(step: Step, caseNos: string[]): Promise<void> {
    const wanted = [...new Set(caseNos)];
    for (let i = 0; i < wanted.length; i += 500) {
      for (const c of await step.trx
        .selectFrom('cases')
        .selectAll()
        .where('case_no', 'in', wanted.slice(i, i + 500))
        .execute())
        step.cases.set(c.case_no, c);
    }
  }

  private async rating(step: Step, r: RatingRecord, row: RecordRow): Promise<void> {
    const { trx, now, writes } = step;
    const pressedAt = row.at_corrected;
    const caseNo = r.invitation.caseNo ?? null;
    let assessNumber = 1;
    let replaces: string | null = null;
    let item = { code: r.invitation.itemCode ?? null, name: r.invitation.itemName ?? null };
    const c = caseNo ? step.cases.get(caseNo) : undefined;
    if (caseNo && c) {
      item = { code: item.code ?? c.item_code, name: item.name ?? c.item_name };
      const late = c.deadline_date !== null && Date.parse(pressedAt) >= deadlineEnd(c.deadline_date);
      if (c.state === 'open' && late) {
        // giveDefault writes (and reads) the ledger itself.
        await writes.flush();
        await giveDefault(trx, c, now);
        Object.assign(c, { state: 'defaulted', defaulted_at: now, first_assess_id: defaultAssessId(c.case_no) });
      }
      if (c.state === 'defaulted' && !late && c.first_assess_id) {
        // Pressed in time, arrived after the default: it replaces the default.
        replaces = c.first_assess_id;
        await trx.updateTable('assessments').set({ superseded_by: r.id }).where('assess_id', '=', replaces).execute();
        writes.logChange(replaces, 'superseded');
        await trx.updateTable('cases').set({ state: 'rated', first_assess_id: r.id, rated_at: pressedAt }).where('case_no', '=', caseNo).execute();
        Object.assign(c, { state: 'rated', first_assess_id: r.id, rated_at: pressedAt });
      } else if ((c.state === 'open' || c.state === 'withdrawn') && !c.first_assess_id) {
        const state = c.state === 'open' ? 'rated' : c.state;
        await trx.updateTable('cases').set({ state, first_assess_id: r.id, rated_at: pressedAt }).where('case_no', '=', caseNo).execute();
        Object.assign(c, { state, first_assess_id: r.id, rated_at: pressedAt });
      } else {
        await writes.flush();
        assessNumber = (await lastAssessNumber(trx, caseNo)) + 1;
      }
    }
    const place = await step.places.of(r.windowId, row.device_id);
    writes.add({
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
      department_id: place.departmentId,
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
    });
  }

  private async detail(step: Step, d: DetailRecord): Promise<void> {
    const details = { reasons: JSON.stringify(d.reasons), comment: d.comment ?? null, contact_record_id: d.contact ? d.id : null, details_at: step.now };
    const pending = step.writes.pending(d.ratingId);
    if (pending && pending.details_at === null) {
      // Its rating came in the same step: complete it before it is written.
      Object.assign(pending, details);
      step.writes.logChange(d.ratingId, 'details');
      return;
    }
    const done = await step.trx.updateTable('assessments').set(details).where('assess_id', '=', d.ratingId).where('details_at', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) === 1) step.writes.logChange(d.ratingId, 'details');
    else this.logger.warn({ detailId: d.id }, 'a detail record names no rating waiting for details: ignored');
  }
}

/** What one step (one chunk, one transaction) works with. */
interface Step {
  trx: Tx;
  now: string;
  writes: LedgerWrites;
  places: Places;
  /** The cases the chunk's ratings name, kept current as this step changes them. */
  cases: Map<string, CasesTable>;
}

/** Window numbers and departments, looked up once per chunk. */
class Places {
  private windows: Map<string, { number: string; department: string; department_id: string | null }> | null = null;
  private readonly deviceWindow = new Map<string, string | null>();

  constructor(private readonly trx: Tx) {}

  async of(windowId: string, deviceId: string): Promise<{ windowId: string; number: string | null; department: string | null; departmentId: string | null }> {
    this.windows ??= new Map((await this.trx.selectFrom('windows').select(['window_id', 'number', 'department', 'department_id']).execute()).map((w) => [w.window_id, w]));
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
    return { windowId: id, number: w?.number ?? null, department: w?.department ?? null, departmentId: w?.department_id ?? null };
  }
}
