/**
 * What the receipt tests read back from printed bytes: the QR code, decoded with jsQR from the GS v 0
 * raster core emits (the bitmap rebuilt dot by dot from the bytes), and a golden comparison whose
 * failure shows where the bytes part and the text each side would print.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { readReceipt, type RasterImage } from '../../../device/receipt/escpos-reader.js';

// jsqr is CommonJS; under NodeNext its typed default export is the module's `default` property.
const jsQR = jsQRModule.default;

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');

/** The text of the QR code in a receipt's one raster image, or null when none decodes. */
export function decodeReceiptQr(bytes: Buffer): string | null {
  const { images } = readReceipt(bytes);
  if (images.length !== 1) return null;
  return decodeRaster(images[0]!);
}

/** jsQR over the raster rebuilt as RGBA: black dots black, the rest white. */
export function decodeRaster(image: RasterImage): string | null {
  const rgba = new Uint8ClampedArray(image.widthDots * image.height * 4);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.widthDots; x++) {
      const v = image.black(x, y) ? 0 : 255;
      const o = (y * image.widthDots + x) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  }
  return jsQR(rgba, image.widthDots, image.height)?.data ?? null;
}

/**
 * Compare with test/receipt/golden/<name>.bin byte for byte. `HCP_UPDATE_GOLDEN=1` rewrites the file
 * instead (docs/RECEIPTS.md, "Golden files"); look at the new receipt with show-receipt.ts first.
 */
export function expectGolden(name: string, actual: Buffer): void {
  const file = join(GOLDEN_DIR, `${name}.bin`);
  if (process.env.HCP_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.HCP_UPDATE_GOLDEN !== '1') throw new Error(`${file} is missing: run with HCP_UPDATE_GOLDEN=1 to write it`);
    writeFileSync(file, actual);
    return;
  }
  const mismatch = compareGolden(name, actual);
  if (mismatch) throw new Error(mismatch);
}

/** Null when `actual` equals golden/<name>.bin, else what differs (never rewrites the file). */
export function compareGolden(name: string, actual: Buffer): string | null {
  const expected = readFileSync(join(GOLDEN_DIR, `${name}.bin`));
  return expected.equals(actual) ? null : goldenDiff(name, expected, actual);
}

function goldenDiff(name: string, expected: Buffer, actual: Buffer): string {
  let at = 0;
  while (at < expected.length && at < actual.length && expected[at] === actual[at]) at++;
  const hex = (b: Buffer) =>
    b
      .subarray(Math.max(0, at - 8), at + 24)
      .toString('hex')
      .replace(/(..)/g, '$1 ')
      .trim();
  const lines = (b: Buffer) => {
    try {
      return readReceipt(b).lines.join(' ⏎ ');
    } catch (err) {
      return `(unreadable: ${(err as Error).message})`;
    }
  };
  return [
    `receipt ${name}: bytes differ from golden/${name}.bin at offset ${at} (golden ${expected.length} bytes, now ${actual.length})`,
    `  golden from ${Math.max(0, at - 8)}: ${hex(expected)}`,
    `  now    from ${Math.max(0, at - 8)}: ${hex(actual)}`,
    `  golden text: ${lines(expected)}`,
    `  now text:    ${lines(actual)}`,
    '  if the change is intended: HCP_UPDATE_GOLDEN=1 npx vitest run test/receipt/receipt-golden.test.ts',
  ].join('\n');
}
