/**
 * Hall IT's dry-run viewer (docs/RECEIPTS.md, "Dry run"): `show-receipt.ts` prints a captured slip's
 * text as the printer would, and draws its QR code in block characters that must still scan — here
 * the drawing is turned back into pixels and decoded with jsQR.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';
import { GOLDEN_DIR } from './support/receipt-checks.js';
import { INVITE_ID, QR_BASE } from './support/receipt-fixtures.js';

const jsQR = jsQRModule.default;

function show(file: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'device/receipt/show-receipt.ts'), file], { cwd: REPO_ROOT, encoding: 'utf8' });
}

/** Block characters back to pixels: each character is one module wide and two tall, drawn `scale` pixels a module. */
function decodeDrawing(rows: string[], scale = 6): string | null {
  const widthModules = Math.max(...rows.map((r) => [...r].length)) + 4;
  const heightModules = rows.length * 2 + 4;
  const w = widthModules * scale;
  const h = heightModules * scale;
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  rows.forEach((row, r) => {
    [...row].forEach((ch, c) => {
      const halves = [ch === '█' || ch === '▀', ch === '█' || ch === '▄'];
      halves.forEach((black, half) => {
        if (!black) return;
        for (let y = 0; y < scale; y++)
          for (let x = 0; x < scale; x++) {
            const o = (((r * 2 + half + 2) * scale + y) * w + (c + 2) * scale + x) * 4;
            rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
          }
      });
    });
  });
  return jsQR(rgba, w, h)?.data ?? null;
}

describe('show-receipt.ts', () => {
  it('shows the text of a slip and a QR code that still scans', () => {
    const out = show(join(GOLDEN_DIR, 'case-invitation.bin')).split('\n');
    expect(out.slice(0, 6)).toEqual(['政务服务“好差评”', '廊坊市政务服务中心', '-'.repeat(32), '窗口：07', '时间：2026-11-30 13:52（北京时间）', '办件编号：LF2026-000123']);
    expect(out).toContain('(cut)');
    const drawing = out.filter((l) => /[█▀▄]/.test(l));
    expect(drawing.length).toBeGreaterThan(10);
    expect(decodeDrawing(drawing)).toBe(`${QR_BASE}/r/dev-lf-07/${INVITE_ID}`);
  });

  it('a slip with no code shows none', () => {
    const out = show(join(GOLDEN_DIR, 'no-public-address.bin'));
    expect(out).toContain('办件编号：SB-2026-42');
    expect(out).not.toMatch(/[█▀▄]/);
  });
});
