/**
 * One 评议卡, A6 (a quarter of A4), as the citizen sees it: the hall, the window and its department,
 * the serial and its QR code, a box for the day of the service, the five levels to tick, the 差评
 * reasons of levels 2 and 1 from the reason catalogue with their codes (so staff enter codes, not
 * readings of handwriting), lines for a comment, and a line saying that nothing about the rater is
 * asked. Chinese only: the card is for the hall's citizens, and the console is where English is.
 */
import { LEVELS, RATING_LEVELS, reasonsForLevel, type CatalogueItem } from '@hcp/contract';
import { formatSerial } from './card-serial.js';
import { drawQr } from './card-qr.js';

/** What one card prints. */
export interface CardFace {
  serial: string;
  qrText: string;
  /** Whether the QR code opens the phone page (else it only carries the serial for the entry screen). */
  qrIsPhonePage: boolean;
  hallName: string;
  windowNumber: string;
  department: string;
  catalogueVersion: string;
  /** China date the batch was printed: a card cannot rate a service before it. */
  printedDate: string;
  position: number;
  batchCount: number;
}

/** A6 in points: exactly a quarter of A4. */
export const CARD_WIDTH = 595.28 / 2;
export const CARD_HEIGHT = 841.89 / 2;
const MARGIN = 18;
const QR_SIZE = 74;
const INK = '#000000';
const GREY = '#555555';

type Doc = PDFKit.PDFDocument;

function box(doc: Doc, x: number, y: number, size: number): void {
  doc.lineWidth(0.7).rect(x, y, size, size).stroke(INK);
}

/** Draw the card with its top-left corner at (x, y). */
export function drawCard(doc: Doc, c: CardFace, x: number, y: number): void {
  const left = x + MARGIN;
  const width = CARD_WIDTH - 2 * MARGIN;
  let top = y + MARGIN - 4;
  const textWidth = width - QR_SIZE - 6;

  // Heading, with the QR code at the top right.
  drawQr(doc, c.qrText, left + width - QR_SIZE, top - 4, QR_SIZE);
  doc
    .font('body')
    .fontSize(5.5)
    .fillColor(GREY)
    .text(c.qrIsPhonePage ? '也可手机扫码评价（只计一次）' : '此码供工作人员录入', left + width - QR_SIZE - 8, top + QR_SIZE - 5, { width: QR_SIZE + 16, align: 'center' });
  doc.font('bold').fontSize(12.5).fillColor(INK).text('政务服务“好差评”评议卡', left, top, { width: textWidth });
  top += 19;
  doc.font('body').fontSize(7.5).fillColor(GREY).text(c.hallName, left, top, { width: textWidth, lineBreak: false, ellipsis: true });
  top += 11;
  doc.font('bold').fontSize(9.5).fillColor(INK).text(`${c.windowNumber} 号窗口 · ${c.department}`, left, top, { width: textWidth, lineBreak: false, ellipsis: true });
  top += 15;
  doc
    .font('body')
    .fontSize(7)
    .fillColor(GREY)
    .text('卡号', left, top + 2, { lineBreak: false });
  doc
    .font('bold')
    .fontSize(11)
    .fillColor(INK)
    .text(formatSerial(c.serial), left + 18, top, { characterSpacing: 0.8, lineBreak: false });
  top += 22;

  doc.font('body').fontSize(8).fillColor(INK).text('办事日期：________ 年 ____ 月 ____ 日', left, top, { lineBreak: false });
  top += 16;

  // The five levels, 非常满意 first as the scheme lists them.
  doc.font('bold').fontSize(7.5).text('您对本次服务的评价（请在一项的 □ 内打 √）', left, top);
  top += 12;
  const column = width / RATING_LEVELS.length;
  for (const [i, level] of RATING_LEVELS.entries()) {
    const cx = left + i * column;
    box(doc, cx, top, 8);
    doc
      .font('body')
      .fontSize(7.5)
      .fillColor(INK)
      .text(LEVELS[level].zh, cx + 10.5, top - 0.5, { lineBreak: false });
  }
  top += 17;

  // The 差评 reasons, each under its own level: a reason belongs to one level (the catalogue's first digit).
  doc.font('bold').fontSize(7).text('选“不满意”或“非常不满意”时，请勾选原因（可多选）：', left, top, { width });
  top += 11;
  const half = (width - 8) / 2;
  const bottoms = ([2, 1] as const).map((level, i) => reasonColumn(doc, reasonsForLevel(c.catalogueVersion, level), LEVELS[level].zh, left + i * (half + 8), top, half));
  top = Math.max(...bottoms) + 5;

  // Footer, from the bottom up; the comment takes the lines left between.
  const bottom = y + CARD_HEIGHT - MARGIN + 2;
  doc.font('bold').fontSize(7).fillColor(INK).text('意见和建议：', left, top);
  top += 4;
  doc.lineWidth(0.4).strokeColor(GREY);
  for (let line = top + 16; line < bottom - 32; line += 16)
    doc
      .moveTo(left, line)
      .lineTo(left + width, line)
      .stroke();
  doc.strokeColor(INK);

  doc
    .font('body')
    .fontSize(5.5)
    .fillColor(GREY)
    .text(`印制 ${c.printedDate} · 第 ${c.position}/${c.batchCount} 张 · 原因目录 ${c.catalogueVersion}`, left, bottom - 7, { width, align: 'right', lineBreak: false });
  doc
    .fontSize(6.2)
    .fillColor(INK)
    .text('本卡不记录姓名、电话等个人信息，请勿填写。填好后请投入意见箱或交给大厅工作人员。', left, bottom - 26, { width, lineGap: 0.5 });
  doc.fillColor(INK);
}

/** One level's reasons as tick boxes with codes; answers where the column ends. */
function reasonColumn(doc: Doc, items: CatalogueItem[], levelName: string, x: number, y: number, width: number): number {
  doc.font('bold').fontSize(6.8).fillColor(INK).text(`${levelName}的原因`, x, y, { width });
  let top = y + 10;
  for (const item of items) {
    box(doc, x, top + 0.8, 5.5);
    const label = `${item.code} ${item.zh}`;
    doc.font('body').fontSize(6.2);
    const h = doc.heightOfString(label, { width: width - 8 });
    doc.text(label, x + 8, top, { width: width - 8, lineGap: 0 });
    top += h + 2.2;
  }
  return top;
}
