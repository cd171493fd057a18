/**
 * Every string a receipt prints survives GB18030 — the encoding core sends text in and Chinese
 * ESC/POS printers read — and the currency sign is ￥ (U+FFE5, A3 A4 in GB18030), never ¥ (U+00A5,
 * which GB18030 can only write as the four bytes 81 30 84 36 that a printer's GBK font garbles).
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readReceipt } from '../../device/receipt/escpos-reader.js';
import { chinaTime, printable, RECEIPT_TEXT, receiptFor } from '../../device/receipt/receipt-content.js';
import { composeReceiptBytes } from '../../device/receipt/receipt-printer.js';
import { FIXTURES } from './support/receipt-fixtures.js';

/** Hall, window and department names the repository's test fixtures and demo hall use. */
const FIXTURE_NAMES = [
  '廊坊市政务服务中心',
  '测试大厅',
  '基准大厅',
  '基准城市',
  '另一个政务服务中心',
  '不动产登记中心',
  '人力资源和社会保障局',
  '公安局',
  '公积金中心',
  '市场监督管理局',
  '市场监管局',
  '政务服务中心',
  '税务局',
  '行政审批局',
  '行政审批局, "综合"科',
  '01',
  '07',
  'A07',
  'B1',
  ...Object.values(FIXTURES).flatMap((f) => [f.config.hallName, f.config.window.number, f.config.window.department, f.rating.invitation.caseNo ?? '']),
];

const roundTrips = (s: string) => iconv.decode(iconv.encode(s, 'GB18030'), 'GB18030') === s;
const YEN_GB18030 = Buffer.from([0x81, 0x30, 0x84, 0x36]);
const FULLWIDTH_YEN_GB18030 = Buffer.from([0xa3, 0xa4]);

describe('receipt strings in GB18030', () => {
  it.each(Object.entries(RECEIPT_TEXT))('fixed text %s round-trips: %s', (_key, text) => {
    expect(roundTrips(text)).toBe(true);
    expect(text).not.toContain('¥');
  });

  it.each(FIXTURE_NAMES.filter((n) => n !== ''))('fixture name %s round-trips', (name) => {
    expect(roundTrips(printable(name))).toBe(true);
  });

  it('every line of every fixture receipt reads back as it was written', async () => {
    for (const f of Object.values(FIXTURES)) {
      const content = receiptFor(f.rating, f.config);
      const lines = readReceipt(await composeReceiptBytes(content, 32)).lines;
      for (const expected of [content.hallName, `${RECEIPT_TEXT.window}${content.windowNumber}`, `${RECEIPT_TEXT.time}${content.time}${RECEIPT_TEXT.timeZone}`]) {
        expect(lines).toContain(expected);
      }
      for (const l of lines) expect(roundTrips(l)).toBe(true);
    }
  });

  it('prints ￥ as A3 A4, and a ¥ in a configured name as ￥ too', async () => {
    const f = FIXTURES['no-public-address'];
    const content = receiptFor(f.rating, { ...f.config, hallName: '收费¥窗口大厅' });
    expect(content.hallName).toBe('收费￥窗口大厅');
    const bytes = await composeReceiptBytes(content, 32);
    expect(bytes.includes(FULLWIDTH_YEN_GB18030)).toBe(true);
    expect(bytes.includes(YEN_GB18030)).toBe(false);
    expect(readReceipt(bytes).lines).toContain('收费￥窗口大厅');
  });

  it('a control character in a configured name is no printer command', async () => {
    const f = FIXTURES['no-public-address'];
    // ESC d 10 would feed, GS V would cut in the middle of the slip.
    const content = receiptFor(f.rating, { ...f.config, hallName: '大厅\u001bd\n\u001dV\u0000' });
    expect(content.hallName).toBe('大厅 d  V ');
    expect(readReceipt(await composeReceiptBytes(content, 32)).lines).toContain('大厅 d  V ');
  });

  it('writes China time whatever the zone of the machine', () => {
    expect(chinaTime('2026-11-30T16:00:00.000Z')).toBe('2026-12-01 00:00');
    expect(chinaTime('2026-07-01T03:04:59.999Z')).toBe('2026-07-01 11:04');
  });
});
