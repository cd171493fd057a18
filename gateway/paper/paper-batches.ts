/**
 * Printing 评议卡 (docs/PAPER.md "Print"): a batch for one window issues its serials and stores them
 * (window, batch, who printed, when) before any sheet exists, so every card that can come back was
 * issued here; the PDF is made from the stored batch and may be downloaded again (a jammed printer)
 * with the same serials. Both are audited.
 */
import { randomUUID } from 'node:crypto';
import type { SessionUser } from '../http/console-auth.js';
import type { AuditLog } from '../audit/audit-log.js';
import { chinaDate } from '../calendar/working-days.js';
import type { Clock, HallSettings } from '../feature.js';
import { findPdfFont, type PdfFont } from '../reports/report-pdf.js';
import type { GatewayStore } from '../store/database.js';
import { cardSheetsPdf } from './card-pdf.js';
import type { CardFace } from './card-face.js';
import { cardQrText, formatSerial, newSerial } from './card-serial.js';
import { mustReach, reachableWindows } from './paper-access.js';
import { PaperError } from './paper-error.js';
import type { BatchViewSchema } from './paper-schemas.js';
import type { z } from 'zod';

type BatchView = z.infer<typeof BatchViewSchema>;

export interface PaperBatchParts {
  store: GatewayStore;
  clock: Clock;
  audit: AuditLog;
  hall: HallSettings;
  maxBatchCards: number;
  pdfFont?: PdfFont | undefined;
}

export class PaperBatches {
  constructor(private readonly p: PaperBatchParts) {}

  private get db() {
    return this.p.store.db;
  }

  private async window(windowId: string) {
    const w = await this.db.selectFrom('windows').select(['window_id', 'number', 'department', 'department_id']).where('window_id', '=', windowId).executeTakeFirst();
    if (!w) throw new PaperError('not-found', `windowId: no window ${windowId}`);
    return w;
  }

  /** Issue `count` serials for a window; answers the batch. */
  async print(user: SessionUser, windowId: string, count: number, remote: string | null): Promise<BatchView> {
    if (count > this.p.maxBatchCards) throw new PaperError('invalid', `count: at most ${this.p.maxBatchCards} cards in one batch (paper.maxBatchCards)`);
    const w = await this.window(windowId);
    await mustReach(this.db, user, w, 'this batch');
    const batchId = `pb-${randomUUID()}`;
    const printedAt = new Date(this.p.clock.now()).toISOString();
    await this.p.store.write(async (trx) => {
      await trx.insertInto('paper_batches').values({ batch_id: batchId, window_id: w.window_id, card_count: count, printed_by: user.username, printed_at: printedAt }).execute();
      const serials = new Set<string>();
      while (serials.size < count) serials.add(newSerial());
      // A clash with an earlier batch (about 1 in 10^12 per card) is drawn again rather than refused.
      for (;;) {
        const taken = await trx
          .selectFrom('paper_cards')
          .select('serial')
          .where('serial', 'in', [...serials])
          .execute();
        if (taken.length === 0) break;
        for (const t of taken) {
          serials.delete(t.serial);
          while (serials.size < count) serials.add(newSerial());
        }
      }
      const rows = [...serials].map((serial, i) => ({ serial, batch_id: batchId, position: i + 1, window_id: w.window_id, printed_at: printedAt }));
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('paper_cards')
          .values(rows.slice(i, i + 200))
          .execute();
      await this.p.audit.record({ actor: user.username, action: 'paper-batch-printed', subject: batchId, detail: { windowId: w.window_id, count }, remote }, trx);
    });
    return (await this.views(user, { batchId }))[0]!;
  }

  async list(user: SessionUser, windowId?: string): Promise<BatchView[]> {
    return this.views(user, windowId ? { windowId } : {});
  }

  private async views(user: SessionUser, o: { batchId?: string; windowId?: string }): Promise<BatchView[]> {
    const windows = await reachableWindows(this.db, user);
    if (windows !== null && windows.length === 0) return [];
    let q = this.db
      .selectFrom('paper_batches as b')
      .innerJoin('windows as w', 'w.window_id', 'b.window_id')
      .select(['b.batch_id', 'b.window_id', 'w.number', 'w.department', 'b.card_count', 'b.printed_by', 'b.printed_at'])
      .select((eb) => [
        eb
          .selectFrom('paper_cards as c')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('c.batch_id', '=', 'b.batch_id')
          .where('c.entered_at', 'is not', null)
          .as('entered'),
        eb.selectFrom('paper_cards as c').select('c.serial').whereRef('c.batch_id', '=', 'b.batch_id').where('c.position', '=', 1).as('first_serial'),
        eb.selectFrom('paper_cards as c').select('c.serial').whereRef('c.batch_id', '=', 'b.batch_id').whereRef('c.position', '=', 'b.card_count').as('last_serial'),
      ])
      .orderBy('b.printed_at', 'desc')
      .limit(200);
    if (windows !== null) q = q.where('b.window_id', 'in', windows);
    if (o.batchId) q = q.where('b.batch_id', '=', o.batchId);
    if (o.windowId) q = q.where('b.window_id', '=', o.windowId);
    const rows = await q.execute();
    return rows.map((r) => ({
      batchId: r.batch_id,
      windowId: r.window_id,
      windowNumber: r.number,
      department: r.department,
      count: r.card_count,
      entered: Number(r.entered ?? 0),
      printedBy: r.printed_by,
      printedAt: r.printed_at,
      firstSerial: formatSerial(r.first_serial ?? ''),
      lastSerial: formatSerial(r.last_serial ?? ''),
    }));
  }

  /** The batch's sheets as a PDF (the same serials every time it is downloaded). */
  async pdf(user: SessionUser, batchId: string, remote: string | null): Promise<{ file: string; pdf: Buffer }> {
    const batch = await this.db.selectFrom('paper_batches').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
    if (!batch) throw new PaperError('not-found', `no batch ${batchId}`);
    const w = await this.window(batch.window_id);
    await mustReach(this.db, user, w, 'this batch');
    const cards = await this.db.selectFrom('paper_cards').select(['serial', 'position']).where('batch_id', '=', batchId).orderBy('position').execute();
    const printedDate = chinaDate(new Date(batch.printed_at));
    const faces: CardFace[] = cards.map((c) => ({
      serial: c.serial,
      qrText: cardQrText(c.serial, w.window_id, this.p.hall.qrBaseUrl),
      qrIsPhonePage: this.p.hall.qrBaseUrl !== undefined,
      hallName: this.p.hall.hallName,
      windowNumber: w.number,
      department: w.department,
      catalogueVersion: this.p.hall.catalogueVersion,
      printedDate,
      position: c.position,
      batchCount: batch.card_count,
    }));
    const pdf = await cardSheetsPdf(faces, findPdfFont(this.p.pdfFont), { title: `评议卡 ${w.number} ${printedDate}`, printedAt: new Date(batch.printed_at) });
    await this.p.audit.record({ actor: user.username, action: 'paper-batch-downloaded', subject: batchId, detail: { windowId: w.window_id, count: batch.card_count }, remote });
    return { file: `cards-${w.number.replace(/[^\w-]/g, '_')}-${printedDate}-${batchId.slice(3, 11)}.pdf`, pdf };
  }
}
