/**
 * A batch of 评议卡 as a PDF: A4 portrait sheets, four A6 cards on each, with cut marks between
 * them — dashed lines along both cuts and ticks at the sheet's edges, so staff can cut with a
 * guillotine or scissors. Printed at 100% ("actual size"): the cards fill the sheet, and a printer's
 * unprintable border falls in the cards' own margins. Chinese needs a CJK font embedded: the same
 * one as the reports' PDF (reports/report-pdf.ts, `paper.pdfFont`), never boxes in place of text.
 */
import { existsSync } from 'node:fs';
import type { PdfFont } from '../reports/report-pdf.js';
import { CARD_HEIGHT, CARD_WIDTH, drawCard, type CardFace } from './card-face.js';

export const CARDS_PER_SHEET = 4;
const A4 = { width: 595.28, height: 841.89 };
const TICK = 14;

export async function cardSheetsPdf(cards: CardFace[], font: PdfFont, meta: { title: string; printedAt: Date }): Promise<Buffer> {
  // Loaded on first use: the gateway's memory at rest stays free of it (issue 14, RSS).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: meta.title, Author: 'hcp', CreationDate: meta.printedAt } });
  doc.registerFont('body', font.file, font.family as string);
  const bold = font.boldFile && existsSync(font.boldFile);
  doc.registerFont('bold', bold ? (font.boldFile as string) : font.file, (bold ? font.boldFamily : font.family) as string);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (let first = 0; first < cards.length; first += CARDS_PER_SHEET) {
    doc.addPage();
    for (const [i, card] of cards.slice(first, first + CARDS_PER_SHEET).entries()) {
      drawCard(doc, card, (i % 2) * CARD_WIDTH, Math.floor(i / 2) * CARD_HEIGHT);
    }
    cutMarks(doc);
  }
  doc.end();
  return done;
}

function cutMarks(doc: PDFKit.PDFDocument): void {
  const midX = A4.width / 2;
  const midY = A4.height / 2;
  doc.save().lineWidth(0.4).strokeColor('#888888').dash(3, { space: 3 });
  doc
    .moveTo(midX, TICK)
    .lineTo(midX, A4.height - TICK)
    .stroke();
  doc
    .moveTo(TICK, midY)
    .lineTo(A4.width - TICK, midY)
    .stroke();
  doc.undash().lineWidth(0.8).strokeColor('#000000');
  for (const [x1, y1, x2, y2] of [
    [midX, 0, midX, TICK],
    [midX, A4.height - TICK, midX, A4.height],
    [0, midY, TICK, midY],
    [A4.width - TICK, midY, A4.width, midY],
    [midX - 5, midY, midX + 5, midY],
    [midX, midY - 5, midX, midY + 5],
  ] as const) {
    doc.moveTo(x1, y1).lineTo(x2, y2).stroke();
  }
  doc.restore();
}
