/**
 * Receipts as bytes (issue 13, "Must show": receipt golden bytes and the decoded QR). Each fixture's
 * receipt is composed by @node-escpos/core and compared byte for byte with test/receipt/golden/*.bin;
 * what it would print is read back, and its QR code is decoded with jsQR from the raster image
 * (GS v 0) rebuilt dot by dot from those bytes. Regenerate: HCP_UPDATE_GOLDEN=1 (docs/RECEIPTS.md).
 */
import { describe, expect, it } from 'vitest';
import { readReceipt } from '../../device/receipt/escpos-reader.js';
import { receiptFor } from '../../device/receipt/receipt-content.js';
import { composeReceiptBytes } from '../../device/receipt/receipt-printer.js';
import { compareGolden, decodeReceiptQr, expectGolden } from './support/receipt-checks.js';
import { FIXTURES, INVITE_ID, QR_BASE } from './support/receipt-fixtures.js';

async function bytesOf(name: keyof typeof FIXTURES, lineWidth = 32): Promise<Buffer> {
  const f = FIXTURES[name];
  return composeReceiptBytes(receiptFor(f.rating, f.config), lineWidth);
}

describe('receipt bytes', () => {
  it('a case invitation: hall, window, China time, case number and a QR code to the case page', async () => {
    const bytes = await bytesOf('case-invitation');
    expectGolden('case-invitation', bytes);
    const printed = readReceipt(bytes);
    expect(printed.lines.slice(0, 6)).toEqual([
      '政务服务“好差评”',
      '廊坊市政务服务中心',
      '-'.repeat(32),
      '窗口：07',
      '时间：2026-11-30 13:52（北京时间）',
      '办件编号：LF2026-000123',
    ]);
    expect(printed.lines).toContain('扫码追加评价或查看差评整改进度');
    expect(printed.lines).toContain('评价免费（￥0.00），谨防扫码付款诈骗');
    expect(printed.cut).toBe(true);
    // The trailing slash of the configured address does not double.
    expect(decodeReceiptQr(bytes)).toBe(`${QR_BASE}/r/dev-lf-07/${INVITE_ID}`);
  });

  it('a rating without a case: no case line, the QR code leads to the window page', async () => {
    const bytes = await bytesOf('window-rating');
    expectGolden('window-rating', bytes);
    const printed = readReceipt(bytes);
    expect(printed.lines).toContain('时间：2027-01-01 07:59（北京时间）');
    expect(printed.lines.some((l) => l.startsWith('办件编号'))).toBe(false);
    expect(decodeReceiptQr(bytes)).toBe(`${QR_BASE}/w/w-a07`);
  });

  it('a hall with no public address for phones prints no code and no caption for one', async () => {
    const bytes = await bytesOf('no-public-address');
    expectGolden('no-public-address', bytes);
    const printed = readReceipt(bytes);
    expect(printed.images).toHaveLength(0);
    expect(printed.lines).not.toContain('扫码追加评价或查看差评整改进度');
    expect(printed.lines).toContain('办件编号：SB-2026-42');
  });

  it('80 mm paper draws 48-character rules, the rest is the same receipt', async () => {
    const narrow = readReceipt(await bytesOf('case-invitation', 32));
    const wide = readReceipt(await bytesOf('case-invitation', 48));
    expect(wide.lines.filter((l) => /^-+$/.test(l))).toEqual(['-'.repeat(48), '-'.repeat(48)]);
    expect(wide.lines.filter((l) => !/^-+$/.test(l))).toEqual(narrow.lines.filter((l) => !/^-+$/.test(l)));
  });

  it('a golden mismatch says where and what', async () => {
    const bytes = await bytesOf('window-rating');
    const altered = Buffer.from(bytes);
    altered[altered.indexOf(Buffer.from('A07'))] = 0x42; // A07 → B07
    expect(compareGolden('window-rating', bytes)).toBeNull();
    expect(compareGolden('window-rating', altered)).toMatch(/at offset \d+[\s\S]*golden text: .*窗口：A07[\s\S]*now text: .*窗口：B07/);
  });
});
