/**
 * Reads back what a receipt sends a printer: its text lines (GB18030) and its raster images (GS v 0),
 * for hall IT's dry run (./show-receipt.ts) and the tests. It knows only the commands
 * ./receipt-layout.ts emits and refuses any other, so a change of layout cannot slip past unread.
 */
import iconv from 'iconv-lite';

/** A GS v 0 raster: `widthBytes` × 8 dots by `height` rows, MSB first, 1 = black. */
export interface RasterImage {
  widthDots: number;
  height: number;
  bits: Buffer;
  /** Is the dot at (x, y) black. */
  black(x: number, y: number): boolean;
}

export interface ReadReceipt {
  lines: string[];
  images: RasterImage[];
  /** Lines and images in the order they print. */
  blocks: Array<string | RasterImage>;
  /** Did it end with a paper cut (GS V). */
  cut: boolean;
}

/** Fixed-length commands: prefix bytes → how many bytes the whole command takes. */
const FIXED: Array<[prefix: number[], length: number]> = [
  [[0x1b, 0x40], 2], // ESC @ initialise
  [[0x1c, 0x26], 2], // FS & Chinese character mode
  [[0x1b, 0x61], 3], // ESC a n alignment
  [[0x1d, 0x21], 3], // GS ! n character size
];

/** Split receipt bytes into text lines and images; throws on a command it does not know. */
export function readReceipt(bytes: Buffer): ReadReceipt {
  const lines: string[] = [];
  const images: RasterImage[] = [];
  const blocks: Array<string | RasterImage> = [];
  let text: number[] = [];
  let cut = false;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      const line = iconv.decode(Buffer.from(text), 'GB18030');
      lines.push(line);
      blocks.push(line);
      text = [];
      i++;
      continue;
    }
    const fixed = FIXED.find(([p]) => p.every((v, k) => bytes[i + k] === v));
    if (fixed) {
      i += fixed[1];
      continue;
    }
    if (b === 0x1d && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x30) {
      const widthBytes = bytes.readUInt16LE(i + 4);
      const height = bytes.readUInt16LE(i + 6);
      const start = i + 8;
      const bits = bytes.subarray(start, start + widthBytes * height);
      if (bits.length !== widthBytes * height) throw new Error(`raster at byte ${i} is cut short`);
      const image = { widthDots: widthBytes * 8, height, bits, black: (x: number, y: number) => ((bits[y * widthBytes + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1 };
      images.push(image);
      blocks.push(image);
      i = start + bits.length;
      continue;
    }
    if (b === 0x1d && bytes[i + 1] === 0x56) {
      cut = true;
      i += 3;
      continue;
    }
    if (b < 0x20 || b === 0x7f) throw new Error(`unknown command 0x${b.toString(16).padStart(2, '0')} at byte ${i}`);
    text.push(b);
    i++;
  }
  if (text.length) {
    const line = iconv.decode(Buffer.from(text), 'GB18030');
    lines.push(line);
    blocks.push(line);
  }
  return { lines, images, blocks, cut };
}
