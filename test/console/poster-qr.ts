/**
 * Reading a poster PDF back as a phone would: each page rendered to PNG by poppler (pdftoppm, at
 * 150 dpi, as a printer would put it on paper; the PNGs stay in test-artifacts to look at), and the
 * QR code on it decoded with jsQR.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import jsQRModule from 'jsqr';

// jsqr is CommonJS; under NodeNext its typed default export is the module's `default` property.
const jsQR = jsQRModule.default;
// pngjs ships no types: the one call used here, typed.
const { PNG } = createRequire(import.meta.url)('pngjs') as { PNG: { sync: { read(png: Buffer): { width: number; height: number; data: Buffer } } } };

/** The QR code of each page (null where none is found), the PDF and the pages' PNGs written to `dir` as `name…`. */
export function qrCodesOfPdf(pdf: Buffer, dir: string, name: string): Array<string | null> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())?.[1]);
  return Array.from({ length: pages }, (_, i) => {
    const png = join(dir, `${name}-p${i + 1}`);
    execFileSync('pdftoppm', ['-png', '-r', '150', '-f', String(i + 1), '-l', String(i + 1), '-singlefile', file, png]);
    const image = PNG.sync.read(readFileSync(`${png}.png`));
    return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null;
  });
}
