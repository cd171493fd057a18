/**
 * A card's QR code drawn as vector squares in the PDF (crisp at any printer resolution, and read
 * back in tests from the page rendered to pixels). Error correction M: a card is handled, folded
 * and dropped in a box; a quiet zone of four modules is left white around the symbol.
 */
import QRCode from 'qrcode';

export const QUIET_MODULES = 4;

interface VectorDoc {
  rect(x: number, y: number, w: number, h: number): unknown;
  fill(color: string): unknown;
  save(): unknown;
  restore(): unknown;
}

/** Draw `text` as a QR code filling a `size`-point square at (x, y), quiet zone included. */
export function drawQr(doc: VectorDoc, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / (n + 2 * QUIET_MODULES);
  const ox = x + QUIET_MODULES * cell;
  const oy = y + QUIET_MODULES * cell;
  doc.save();
  for (let row = 0; row < n; row++) {
    // One rectangle per run of dark modules in a row: smaller PDFs and no hairline seams between modules.
    for (let col = 0; col < n; ) {
      if (!modules.data[row * n + col]) {
        col++;
        continue;
      }
      let end = col;
      while (end < n && modules.data[row * n + end]) end++;
      doc.rect(ox + col * cell, oy + row * cell, (end - col) * cell, cell);
      col = end;
    }
  }
  doc.fill('#000000');
  doc.restore();
}
