/**
 * What a receipt says (issue 13, "Receipts"): hall, window, time in China time, the case number if
 * the rating answered a case, and a QR code to the phone page where the citizen follows what becomes
 * of a 差评 or adds a 追加评价. Never the level chosen, never anything about the rater (RULES.md R10):
 * this module is not even handed them — it takes the record's time and invitation only.
 */
import type { DeviceConfig, RatingRecord } from '../contract/index.js';

/** Every fixed string a receipt prints (each is checked to round-trip through GB18030 in the tests). */
export const RECEIPT_TEXT = {
  title: '政务服务“好差评”',
  window: '窗口：',
  time: '时间：',
  timeZone: '（北京时间）',
  caseNo: '办件编号：',
  qrCaption: '扫码追加评价或查看差评整改进度',
  // A code on paper invites "scan and pay" fraud: say plainly the rating costs nothing. ￥ (U+FFE5), never ¥ (U+00A5):
  // GB18030 has no two-byte code for ¥, and a printer's GBK font prints its four-byte code as garbage.
  free: '评价免费（￥0.00），谨防扫码付款诈骗',
  thanks: '感谢您的评价',
} as const;

/** What one receipt prints, already made safe for the printer. */
export interface ReceiptContent {
  hallName: string;
  windowNumber: string;
  /** `YYYY-MM-DD HH:mm` in China time (UTC+8, no daylight saving). */
  time: string;
  caseNo?: string;
  /** Absent when the hall has no public address for phones: never print a code that leads nowhere. */
  qrUrl?: string;
}

/** The parts of a rating a receipt may use: when, and which invitation it answered (not the level). */
export type RatingFacts = Pick<RatingRecord, 'at' | 'windowId' | 'invitation'>;

/** The receipt of one rating, from its record and the config the device works from. */
export function receiptFor(rating: RatingFacts, config: Pick<DeviceConfig, 'deviceId' | 'hallName' | 'window' | 'qrBaseUrl'>): ReceiptContent {
  const base = config.qrBaseUrl?.replace(/\/+$/, '');
  const inv = rating.invitation;
  // The URL shapes the kiosk shows (device/runtime/view-builder.ts): per case, else per window.
  const qrUrl = !base ? undefined : inv.source === 'case' ? `${base}/r/${config.deviceId}/${inv.id}` : `${base}/w/${rating.windowId}`;
  return {
    hallName: printable(config.hallName),
    windowNumber: printable(config.window.number),
    time: chinaTime(rating.at),
    ...(inv.caseNo ? { caseNo: printable(inv.caseNo) } : {}),
    ...(qrUrl ? { qrUrl } : {}),
  };
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** An ISO time as China time, `YYYY-MM-DD HH:mm`. */
export function chinaTime(iso: string): string {
  return new Date(Date.parse(iso) + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A configured string made safe to print: `¥` becomes `￥` (see RECEIPT_TEXT.free), and control
 * characters become spaces — an ESC or GS in a hall name would otherwise be a printer command.
 */
export function printable(text: string): string {
  return text.replace(/\u00a5/g, '\uffe5').replace(/[\u0000-\u001f\u007f]/g, ' ');
}
