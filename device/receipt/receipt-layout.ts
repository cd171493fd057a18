/**
 * How a receipt is laid out in ESC/POS, with @node-escpos/core's Printer: GB18030 text (core's
 * default encoding, through iconv-lite) and the QR code as a raster image (GS v 0) that core renders
 * with qr-image (`qrimage`). A raster prints the same on every ESC/POS printer; the native QR command
 * core knows (`ESC Z`) is not the standard GS ( k and many printers sold here ignore it.
 */
import { Printer } from '@node-escpos/core';
import type { Adapter } from '@node-escpos/adapter';
import { RECEIPT_TEXT, type ReceiptContent } from './receipt-content.js';

/** FS & — Chinese character mode; most printers sold in China start in it, this makes sure. */
const CHINESE_MODE = Buffer.from([0x1c, 0x26]);
/** Dots a QR module takes (203 dpi: 0.5 mm), and the quiet zone in modules around the code. */
export const QR_MODULE_DOTS = 4;
const QR_QUIET_MODULES = 2;

/** Compose one receipt into the printer's buffer (nothing is sent until the caller flushes). */
export async function layReceipt(printer: Printer<[]>, c: ReceiptContent): Promise<void> {
  printer.hardware('init').raw(CHINESE_MODE).align('ct').size(1, 2).text(RECEIPT_TEXT.title).size(1, 1).text(c.hallName);
  printer.drawLine();
  printer.align('lt').text(`${RECEIPT_TEXT.window}${c.windowNumber}`);
  printer.text(`${RECEIPT_TEXT.time}${c.time}${RECEIPT_TEXT.timeZone}`);
  if (c.caseNo) printer.text(`${RECEIPT_TEXT.caseNo}${c.caseNo}`);
  printer.drawLine().align('ct');
  if (c.qrUrl) {
    // Level M survives a smudged or creased slip; 'normal' raster mode prints one dot per pixel.
    await printer.qrimage(c.qrUrl, { type: 'png', mode: 'normal', ec_level: 'M', size: QR_MODULE_DOTS, margin: QR_QUIET_MODULES });
    printer.text(RECEIPT_TEXT.qrCaption);
  }
  printer.text(RECEIPT_TEXT.free).text(RECEIPT_TEXT.thanks).cut(false, 4);
}

/** A new core Printer over `adapter`, for paper `lineWidth` characters wide. */
export function escposPrinter(adapter: Adapter<[]>, lineWidth: number): Printer<[]> {
  return new Printer(adapter, { encoding: 'GB18030', width: lineWidth });
}
