/**
 * Printed 评议卡 (issue 13 "Must show": paper cards printed, PDF to PNG, looked at). A batch is
 * printed through the API of a real in-process gateway, its PDF rendered to pixels with poppler's
 * pdftoppm (as a printer would rasterise it) and saved under test-artifacts/paper/ to be looked at;
 * each card's QR code is read back from the pixels with jsqr and must say what the card's printed
 * serial says (pdftotext reads the printed text): the phone page of its window where the hall has a
 * public address, `HCP-CARD:<serial>` where it has none.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSerial, readSerial } from '../../gateway/paper/card-serial.js';
import { REPO_ROOT } from '../support/device-process.js';
import { QR_BASE, serialsOf, startPaperHall, type PaperHall } from './support/paper-hall.js';

type JsQr = typeof import('jsqr').default;
// jsqr is CommonJS: its function is the module's `default` property or the module itself, by loader.
const jsQR: JsQr = (jsqrModule as unknown as { default?: JsQr }).default ?? (jsqrModule as unknown as JsQr);

const OUT = join(REPO_ROOT, 'test-artifacts', 'paper');
const DPI = 150;

/** The PDF's pages as PNG files (pdftoppm), in order. */
function rasterise(pdf: Buffer, name: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-cards-png-'));
  writeFileSync(join(dir, `${name}.pdf`), pdf);
  execFileSync('pdftoppm', ['-r', String(DPI), '-png', join(dir, `${name}.pdf`), join(dir, name)]);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => join(dir, f));
}

/** The QR code of each of the four cards of a page (quadrants: top left, top right, bottom left, bottom right). */
async function cardQrCodes(png: string): Promise<Array<string | null>> {
  const meta = await sharp(png).metadata();
  const w = Math.floor(meta.width! / 2);
  const h = Math.floor(meta.height! / 2);
  const out: Array<string | null> = [];
  for (const [left, top] of [
    [0, 0],
    [w, 0],
    [0, h],
    [w, h],
  ] as const) {
    const { data, info } = await sharp(png).extract({ left, top, width: w, height: h }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    out.push(jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null);
  }
  return out;
}

async function printBatch(hall: PaperHall, windowId: string, count: number): Promise<{ batchId: string; pdf: Buffer }> {
  const r = await hall.manager.call('POST', '/api/paper/batches', { windowId, count });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const res = await fetch(`${hall.gw.httpUrl}/api/paper/batches/${r.body.batchId}/pdf`, { headers: { authorization: `Bearer ${hall.manager.token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  return { batchId: r.body.batchId, pdf: Buffer.from(await res.arrayBuffer()) };
}

describe('printed paper cards', () => {
  let online: PaperHall;
  let offline: PaperHall;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    online = await startPaperHall({ at: '2026-11-30T02:00:00Z', withProvince: false });
    offline = await startPaperHall({ at: '2026-11-30T02:00:00Z', withProvince: false, qrBaseUrl: null });
  }, 30_000);
  afterAll(async () => {
    await online?.stop();
    await offline?.stop();
  });

  it('a batch of 6 for window 01 is two A4 sheets of A6 cards; each QR code opens the phone page of that card, and says what its printed serial says', async () => {
    const { batchId, pdf } = await printBatch(online, 'w-01', 6);
    const serials = await serialsOf(online.gw, batchId);
    expect(serials).toHaveLength(6);
    const pages = rasterise(pdf, 'cards-w01');
    expect(pages).toHaveLength(2);
    const size = await sharp(pages[0]!).metadata();
    // A4 at 150 dpi: 1240 × 1754 pixels (pdftoppm rounds up a part pixel).
    expect(Math.abs(size.width! - 1240)).toBeLessThanOrEqual(1);
    expect(Math.abs(size.height! - 1754)).toBeLessThanOrEqual(1);
    for (const [i, p] of pages.entries()) copyFileSync(p, join(OUT, `cards-online-sheet${i + 1}.png`));

    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
    const printed = [...text.matchAll(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}/g)].map((m) => m[0]);
    // The printed serials, each once, in some reading order of the four-up sheet.
    expect(new Set(printed)).toEqual(new Set(serials.map(formatSerial)));
    for (const words of [
      '政务服务“好差评”评议卡',
      '廊坊市政务服务中心',
      '01 号窗口',
      '市场监管局',
      '非常满意',
      '非常不满意',
      '113 多头跑窗口和部门',
      '214 服务态度生硬',
      '不记录姓名、电话',
    ]) {
      expect(text.replace(/\s+/g, '')).toContain(words.replace(/\s+/g, ''));
    }

    const codes = [...(await cardQrCodes(pages[0]!)), ...(await cardQrCodes(pages[1]!))];
    expect(codes.slice(0, 6)).toEqual(serials.map((s) => `${QR_BASE}/w/w-01?card=${s}`));
    // The last sheet's two empty places stay empty.
    expect(codes.slice(6)).toEqual([null, null]);
    for (const [i, code] of codes.slice(0, 6).entries()) {
      const read = readSerial(code!);
      expect(read).toEqual({ ok: true, serial: serials[i], windowId: 'w-01' });
      expect(printed).toContain(formatSerial(read.ok ? read.serial : ''));
    }
  }, 60_000);

  it('a hall without a public address prints HCP-CARD:<serial>, which the entry screen takes as scanned', async () => {
    const { batchId, pdf } = await printBatch(offline, 'w-02', 4);
    const serials = await serialsOf(offline.gw, batchId);
    const [page] = rasterise(pdf, 'cards-w02');
    copyFileSync(page!, join(OUT, 'cards-no-public-address.png'));
    expect(await cardQrCodes(page!)).toEqual(serials.map((s) => `HCP-CARD:${s}`));
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, '');
    expect(text).toContain('此码供工作人员录入');
    expect(text).not.toContain('手机扫码');
    const looked = await offline.manager.call('GET', `/api/paper/cards/${encodeURIComponent(`HCP-CARD:${serials[0]}`)}`);
    expect(looked.status, JSON.stringify(looked.body)).toBe(200);
    expect(looked.body).toMatchObject({ serial: formatSerial(serials[0]!), windowNumber: '02', department: '税务局', state: 'blank' });
    // Downloading again gives the same cards (a jammed printer), and both downloads are audited.
    const again = await fetch(`${offline.gw.httpUrl}/api/paper/batches/${batchId}/pdf`, { headers: { authorization: `Bearer ${offline.manager.token}` } });
    const [page2] = rasterise(Buffer.from(await again.arrayBuffer()), 'cards-w02-again');
    expect(await cardQrCodes(page2!)).toEqual(serials.map((s) => `HCP-CARD:${s}`));
    const audit = await offline.gw.store.db.selectFrom('audit_log').select(['actor', 'action', 'subject']).where('action', 'like', 'paper-%').orderBy('id').execute();
    expect(audit).toEqual([
      { actor: 'mgr1', action: 'paper-batch-printed', subject: batchId },
      { actor: 'mgr1', action: 'paper-batch-downloaded', subject: batchId },
      { actor: 'mgr1', action: 'paper-batch-downloaded', subject: batchId },
    ]);
  }, 60_000);
});
