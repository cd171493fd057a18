/**
 * Hall IT's dry run: show a captured receipt (adapter `capture`) as it would print.
 * `npx tsx device/receipt/show-receipt.ts <data dir>/receipts/receipt-000001.bin`
 * The text lines come out as printed; the QR code is drawn with block characters, at one character
 * per module, so a phone can scan it off the terminal (docs/RECEIPTS.md, "Dry run").
 */
import { readFileSync } from 'node:fs';
import { readReceipt, type RasterImage } from './escpos-reader.js';
import { QR_MODULE_DOTS } from './receipt-layout.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: show-receipt.ts <receipt-NNNNNN.bin>\n');
  process.exit(2);
}
const receipt = readReceipt(readFileSync(file));
for (const block of receipt.blocks) process.stdout.write(`${typeof block === 'string' ? block : modulesAsText(block)}\n`);
process.stdout.write(receipt.cut ? '\n(cut)\n' : '\n(no cut: the printer would not cut this receipt)\n');

/** The raster scaled down to one cell a module (QR_MODULE_DOTS dots each), two rows a line. */
function modulesAsText(image: RasterImage): string {
  const step = QR_MODULE_DOTS;
  const rows: string[] = [];
  for (let y = 0; y < image.height; y += step * 2) {
    let row = '';
    for (let x = 0; x < image.widthDots; x += step) {
      const top = image.black(x + 1, y + 1);
      const bottom = y + step < image.height && image.black(x + 1, y + step + 1);
      row += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    rows.push(row.trimEnd());
  }
  return rows.join('\n');
}
