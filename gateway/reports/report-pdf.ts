/**
 * A report as PDF (pdfkit), A4 landscape: the heading with the snapshot and its hashes, every table
 * of report-tables.ts (header repeated on each page), then the definitions and rules — the measures
 * are printed with their definitions on the report itself (NATIONAL-SPEC.md). Chinese needs a CJK
 * font embedded: by default Noto Sans CJK SC from Debian's fonts-noto-cjk (scripts/setup.sh), or
 * the one in `reports.pdfFont`; without one the export fails with PdfFontMissingError, never with
 * boxes in place of characters.
 */
import { existsSync } from 'node:fs';
import type { ReportContent } from './report-content.js';
import { rateText, reportNotes, reportTables, type Cell, type ReportTable } from './report-tables.js';
import type { SnapshotMeta } from './snapshots.js';

export class PdfFontMissingError extends Error {
  readonly code = 'pdf-font-missing';
}

export interface PdfFont {
  file: string;
  /** The face inside a collection (.ttc). */
  family?: string | undefined;
  boldFile?: string | undefined;
  boldFamily?: string | undefined;
}

/** Debian's fonts-noto-cjk (and fonts-noto-cjk-extra) install these. */
const DEFAULT_FONTS: PdfFont[] = [
  {
    file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    family: 'NotoSansCJKsc-Regular',
    boldFile: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
    boldFamily: 'NotoSansCJKsc-Bold',
  },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
];

/** The configured font, or the first default present; throws PdfFontMissingError naming what to install. */
export function findPdfFont(configured?: PdfFont): PdfFont {
  if (configured) {
    if (!existsSync(configured.file)) throw new PdfFontMissingError(`reports.pdfFont.file: ${configured.file} does not exist; the PDF needs a CJK font`);
    return configured;
  }
  const found = DEFAULT_FONTS.find((f) => existsSync(f.file));
  if (!found)
    throw new PdfFontMissingError(
      `no CJK font for the PDF: install Debian's fonts-noto-cjk (apt-get install -y fonts-noto-cjk; scripts/setup.sh does) or set reports.pdfFont.file; looked for ${DEFAULT_FONTS.map((f) => f.file).join(', ')}`,
    );
  return found;
}

const PAGE = { size: 'A4', layout: 'landscape', margin: 28 } as const;
const SMALL = 6.5;
const PAD = 2;

function cellText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'object') return c.rate === null ? 'n/a' : c.rate.value === null ? `—\n${c.rate.num}/${c.rate.den}` : `${rateText(c.rate)}\n${c.rate.num}/${c.rate.den}`;
  return String(c);
}

export async function reportPdf(content: ReportContent, meta: SnapshotMeta, font: PdfFont): Promise<Buffer> {
  // Loaded on first use: the gateway's memory at rest stays free of it (issue 14, RSS).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ ...PAGE, bufferPages: true, info: { Title: `${meta.snapshotId}`, Author: 'hcp', CreationDate: new Date(meta.generatedAt) } });
  doc.registerFont('body', font.file, font.family as string);
  doc.registerFont(
    'bold',
    font.boldFile && existsSync(font.boldFile) ? font.boldFile : font.file,
    (font.boldFile && existsSync(font.boldFile) ? font.boldFamily : font.family) as string,
  );
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const notes = reportNotes(content, meta);

  doc.font('bold').fontSize(15).text(notes.title, left, doc.page.margins.top, { width });
  doc.moveDown(0.4);
  for (const [k, v] of notes.facts) doc.font('bold').fontSize(8).text(`${k}：`, { continued: true }).font('body').text(v, { width });
  doc.moveDown(0.3);
  doc
    .font('body')
    .fontSize(7.5)
    .fillColor('#444')
    .text('各比率的定义、排名和评选规则见报告末尾；比率下方为分子/分母；“—”表示分母为 0，“n/a”表示不适用。', { width })
    .fillColor('black');

  const table = (t: ReportTable) => {
    const total = t.columns.reduce((s, c) => s + c.width, 0);
    const widths = t.columns.map((c) => (c.width / total) * width);
    const heightOf = (texts: string[], bold: boolean) => {
      doc.font(bold ? 'bold' : 'body').fontSize(SMALL);
      // Only text wraps; a count or a rate is as many lines as it has (measuring each cell is most of the PDF's time).
      const line = doc.currentLineHeight(true);
      return (
        Math.max(...texts.map((s, i) => (t.columns[i]!.kind === 'text' || bold ? doc.heightOfString(s || ' ', { width: widths[i]! - 2 * PAD }) : s.split('\n').length * line))) +
        2 * PAD
      );
    };
    const drawRow = (texts: string[], bold: boolean, shade: boolean) => {
      const h = heightOf(texts, bold);
      const y = doc.y;
      if (shade) doc.rect(left, y, width, h).fill('#eef2f7').fillColor('black');
      let x = left;
      texts.forEach((s, i) => {
        const numeric = t.columns[i]!.kind !== 'text';
        if (numeric && !bold) {
          // One line each, never wrapped: the row's height counted them (heightOf).
          const line = doc.currentLineHeight(true);
          s.split('\n').forEach((part, k) => {
            doc.text(part, x + PAD, y + PAD + k * line, { width: widths[i]! - 2 * PAD, align: 'right', lineBreak: false });
          });
        } else doc.text(s, x + PAD, y + PAD, { width: widths[i]! - 2 * PAD, align: numeric ? 'right' : 'left', lineBreak: true });
        x += widths[i]!;
      });
      doc
        .moveTo(left, y + h)
        .lineTo(left + width, y + h)
        .lineWidth(0.3)
        .strokeColor('#999')
        .stroke();
      doc.x = left;
      doc.y = y + h;
    };
    const header = t.columns.map((c) => c.header);
    const headerH = heightOf(header, true);
    if (doc.y + 20 + headerH + 14 > bottom()) doc.addPage();
    doc.moveDown(0.6);
    doc.font('bold').fontSize(10).text(t.title, left, doc.y, { width });
    doc.moveDown(0.2);
    drawRow(header, true, true);
    if (t.rows.length === 0)
      doc
        .font('body')
        .fontSize(SMALL)
        .text('（无）', left + PAD, doc.y + PAD, { width });
    for (const r of t.rows) {
      const texts = r.map(cellText);
      if (doc.y + heightOf(texts, false) > bottom()) {
        doc.addPage();
        drawRow(header, true, true);
      }
      drawRow(texts, false, false);
    }
  };
  for (const t of reportTables(content)) table(t);

  doc.addPage();
  doc.font('bold').fontSize(11).text('定义', left, doc.y, { width });
  for (const [k, v] of notes.definitions) {
    doc.font('bold').fontSize(8).text(k, { width });
    doc.font('body').fontSize(8).text(v, { width });
    doc.moveDown(0.2);
  }
  doc.moveDown(0.4);
  doc.font('bold').fontSize(11).text('统计规则', { width });
  for (const r of notes.rules) doc.font('body').fontSize(8).text(`· ${r}`, { width });

  // Every page names the snapshot and its hash, so a printed page can be checked against the store.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin: lift it for the footer, or pdfkit would start a new page.
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(6)
      .fillColor('#666')
      .text(`${meta.snapshotId} · SHA-256 ${meta.hash} · 第 ${i + 1}/${range.count} 页`, left, doc.page.height - 18, { width, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}
