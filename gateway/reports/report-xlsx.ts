/**
 * A report as an Excel workbook (exceljs): a 说明 sheet with the heading, the snapshot and its
 * hashes, every definition and rule; then one sheet per table of report-tables.ts. A rate is three
 * cells — numerator, denominator, and the value as a number formatted as a percentage ("—" when the
 * denominator is 0, "n/a" when it does not apply) — so the sheet can be checked by hand.
 */
import type { ReportContent } from './report-content.js';
import { reportNotes, reportTables, type Cell } from './report-tables.js';
import type { SnapshotMeta } from './snapshots.js';

const BOLD = { bold: true } as const;

function cells(c: Cell, rateColumn: boolean): Array<string | number | null> {
  if (c === null || typeof c !== 'object') return rateColumn ? [null, null, c] : [c];
  const m = c.rate;
  if (m === null) return ['n/a', 'n/a', 'n/a'];
  return [m.num, m.den, m.value === null ? '—' : m.value];
}

/** Sheet names: at most 31 characters, none of []:*?/\ (Excel's rules). */
const sheetName = (title: string) => title.replace(/[[\]:*?/\\]/g, '·').slice(0, 31);

export async function reportXlsx(content: ReportContent, meta: SnapshotMeta): Promise<Buffer> {
  // Loaded on first use: the gateway's memory at rest stays free of it (issue 14, RSS).
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'hcp';
  // The snapshot's time, not the export's: the same snapshot exports the same facts.
  wb.created = new Date(meta.generatedAt);
  const notes = reportNotes(content, meta);
  const about = wb.addWorksheet('说明');
  about.columns = [{ width: 22 }, { width: 120 }];
  about.addRow([notes.title]).font = { bold: true, size: 14 };
  for (const f of notes.facts) about.addRow(f);
  about.addRow([]);
  about.addRow(['定义']).font = BOLD;
  for (const d of notes.definitions) about.addRow(d).alignment = { wrapText: true, vertical: 'top' };
  about.addRow([]);
  about.addRow(['统计规则']).font = BOLD;
  for (const r of notes.rules) about.addRow(['', r]).alignment = { wrapText: true, vertical: 'top' };

  for (const t of reportTables(content)) {
    const ws = wb.addWorksheet(sheetName(t.title));
    const header = t.columns.flatMap((c) => (c.kind === 'rate' ? [`${c.header}·分子`, `${c.header}·分母`, c.header] : [c.header]));
    ws.addRow([t.title]).font = BOLD;
    ws.addRow(header).font = BOLD;
    ws.views = [{ state: 'frozen', ySplit: 2 }];
    let col = 1;
    for (const c of t.columns) {
      if (c.kind === 'rate') {
        ws.getColumn(col).width = 8;
        ws.getColumn(col + 1).width = 8;
        ws.getColumn(col + 2).width = 12;
        ws.getColumn(col + 2).numFmt = '0.0%';
        col += 3;
      } else {
        ws.getColumn(col).width = Math.max(8, Math.round(c.width * 6));
        col += 1;
      }
    }
    for (const r of t.rows) ws.addRow(r.flatMap((c, i) => cells(c, t.columns[i]?.kind === 'rate')));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
