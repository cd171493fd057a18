/**
 * The printable poster of a service window (issue 11, registry): an A4 page to put up at the
 * window with the hall, the window's number and department, "手机扫码评价 / Scan to rate" and the
 * QR code of the window's rating page, `${qrBaseUrl}/w/<windowId>` — the same address the
 * window's kiosk shows (device/runtime/view-builder.ts). The code is drawn as vector squares, so it
 * prints sharp at any size; the address is printed under it for those who type it. Chinese needs a
 * CJK font embedded (reports/report-pdf.ts findPdfFont: Noto Sans CJK from fonts-noto-cjk).
 */
import { existsSync } from 'node:fs';
import type PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { PdfFont } from '../reports/report-pdf.js';

export interface PosterWindow {
  windowId: string;
  number: string;
  department: string;
}

/** The window's rating page: exactly what the kiosk shows as the window's code. */
export function windowRatingUrl(qrBaseUrl: string, windowId: string): string {
  return `${qrBaseUrl.replace(/\/$/, '')}/w/${windowId}`;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const QR_SIDE = 300;
/** The white border a scanner needs around the code (ISO/IEC 18004: four modules). */
const QUIET_MODULES = 4;
const INK = '#1f2329';
const MUTED = '#5f6470';
const RED = '#c42b1c';

type Doc = InstanceType<typeof PDFDocument>;

/** Writes `text` centred on one line at `y`, shrinking the size (down to `min`) until it fits. */
function centredLine(doc: Doc, text: string, y: number, font: string, size: number, min: number, colour = INK): number {
  const width = A4.width - 2 * MARGIN;
  doc.font(font);
  let s = size;
  while (s > min && doc.fontSize(s).widthOfString(text) > width) s -= 1;
  doc
    .fontSize(s)
    .fillColor(colour)
    .text(text, MARGIN, y, { width, align: 'center', lineBreak: s <= min });
  return doc.y;
}

/** The QR code as filled squares, `side` points wide (quiet zone included), top-left at (x, y). */
function drawQr(doc: Doc, url: string, x: number, y: number, side: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const cells = modules.size + 2 * QUIET_MODULES;
  const cell = side / cells;
  doc.rect(x, y, side, side).fill('#ffffff');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      // A hair wider than the cell, so adjacent squares print without white seams.
      if (modules.get(row, col)) doc.rect(x + (col + QUIET_MODULES) * cell, y + (row + QUIET_MODULES) * cell, cell + 0.2, cell + 0.2);
    }
  }
  doc.fill('#000000');
}

function posterPage(doc: Doc, hallName: string, w: PosterWindow, url: string): void {
  doc.rect(0, 0, A4.width, 10).fill(RED);
  let y = centredLine(doc, hallName, MARGIN + 4, 'body', 22, 12, MUTED);
  y = centredLine(doc, `${w.number} 号窗口`, y + 18, 'bold', 60, 28);
  y = centredLine(doc, `Window ${w.number}`, y + 2, 'body', 18, 12, MUTED);
  y = centredLine(doc, w.department, y + 14, 'bold', 28, 14);
  const qrTop = y + 28;
  const qrLeft = (A4.width - QR_SIDE) / 2;
  drawQr(doc, url, qrLeft, qrTop, QR_SIDE);
  doc
    .lineWidth(1.5)
    .roundedRect(qrLeft - 10, qrTop - 10, QR_SIDE + 20, QR_SIDE + 20, 12)
    .stroke('#c9cdd4');
  y = centredLine(doc, '手机扫码评价', qrTop + QR_SIDE + 34, 'bold', 40, 24, RED);
  y = centredLine(doc, 'Scan to rate', y + 4, 'body', 24, 14, INK);
  centredLine(doc, url, y + 16, 'body', 12, 7, MUTED);
  centredLine(doc, '政务服务“好差评”', A4.height - MARGIN - 14, 'body', 11, 8, MUTED);
}

/** The posters of `windows`, one A4 page each, as a PDF. */
export async function windowPostersPdf(hallName: string, qrBaseUrl: string, windows: readonly PosterWindow[], font: PdfFont): Promise<Buffer> {
  // Loaded on first use: the gateway's memory at rest stays free of it (issue 14, RSS).
  const { default: PDFDocument } = await import('pdfkit');
  const title = windows.length === 1 ? `${hallName} ${windows[0]!.number} 号窗口` : `${hallName} 窗口评价二维码`;
  // No creation date: the same window prints the same file (a reprint is byte-for-byte the same).
  // No page margins for pdfkit: every line is placed by hand, and the footer sits in the margin.
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: title, Author: 'hcp', CreationDate: new Date(0) } });
  const bold = font.boldFile && existsSync(font.boldFile);
  doc.registerFont('body', font.file, font.family as string);
  doc.registerFont('bold', bold ? font.boldFile! : font.file, (bold ? font.boldFamily : font.family) as string);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const w of windows) {
    doc.addPage();
    posterPage(doc, hallName, w, windowRatingUrl(qrBaseUrl, w.windowId));
  }
  doc.end();
  return done;
}
