/**
 * A citizen's and a staff member's walk through every kiosk screen, in Chromium against a real
 * device runtime: badge login, invitation, each of the five levels by touch, reasons + a pinyin
 * comment + a consented call-back number after a 差评, skip, pause, logout, and the timeouts of
 * invitation, details and thanks. What lands in the runtime's SQLite store is checked read-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { reasonsForLevel, CURRENT_CATALOGUE_VERSION, type ChainRecord } from '../../device/contract/index.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { BADGE, startStand, waitScreen, type KioskStand } from './kiosk-harness.js';

// innerText, not textContent: what the citizen sees (hidden text and CSS text-transform count).
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is under test
const text = (page: Page, sel: string) => page.locator(sel).first().innerText();
const ratings = (dataDir: string) => readDeviceRecords(dataDir).filter((r): r is Extract<ChainRecord, { kind: 'rating' }> => r.kind === 'rating');

async function typePinyin(page: Page, letters: string, pick: string): Promise<void> {
  for (const k of letters) await page.locator('.kb .key', { hasText: new RegExp(`^${k}$`) }).tap();
  await page
    .locator('.kb .cand', { hasText: new RegExp(`^${pick}$`) })
    .first()
    .tap();
}

describe('the kiosk walk', () => {
  let stand: KioskStand;
  let quick: KioskStand;

  beforeAll(async () => {
    [stand, quick] = await Promise.all([
      startStand({ name: 'walk', deviceConfig: { thanksTimeoutSec: 2 } }),
      startStand({ name: 'timeouts', build: false, deviceConfig: { invitationTimeoutSec: 10, detailsTimeoutSec: 2, thanksTimeoutSec: 1 } }),
    ]);
  });
  afterAll(async () => {
    await stand?.stop();
    await quick?.stop();
  });

  it('walks login, five levels, reasons, consent, pause and logout into the store', async () => {
    const { page, device } = stand;
    await page.goto(stand.kioskUrl);
    await waitScreen(page, 'paused');
    expect(await text(page, 'h1')).toBe('暂停服务');
    expect(await page.locator('.choice').count()).toBe(0);

    // Login as a badge tap does.
    expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
    await waitScreen(page, 'idle');
    const card = await text(page, '.staff-card');
    for (const s of ['张晓梅', '综合受理', '科员', 'A001', '07', '市场监管局']) expect(card).toContain(s);
    expect(await page.locator('.photo').getAttribute('src')).toMatch(/^data:image\//);
    expect(await page.locator('.qr svg').count()).toBe(1);

    // The three good levels: thanks appears only once the rating is in the store.
    for (const level of [5, 4, 3] as const) {
      expect((await device.api('POST', '/api/invite')).status).toBe(200);
      await waitScreen(page, 'armed');
      await page.locator(`.choice[data-level="${level}"]`).tap();
      await waitScreen(page, 'thanks');
      expect(ratings(device.dataDir).at(-1)?.level).toBe(level);
      expect(await text(page, '.thanks-level')).toBe({ 5: '非常满意', 4: '满意', 3: '基本满意' }[level]);
      if (level === 5) await waitScreen(page, 'idle', 5000); // thanks times out back to idle
    }

    // 不满意: two reasons, a comment typed in pinyin, a call-back number only after consent.
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await page.locator('.choice[data-level="2"]').tap();
    await waitScreen(page, 'details');
    const offered = reasonsForLevel(CURRENT_CATALOGUE_VERSION, 2);
    expect(await page.locator('.reason').allInnerTexts()).toEqual(offered.map((r) => r.zh));
    await page.locator('.reason').nth(0).tap();
    await page.locator('.reason').nth(6).tap();
    await page.locator('.details-body .field').first().tap();
    await typePinyin(page, 'dengdai', '等待');
    await typePinyin(page, 'shijian', '时间');
    await typePinyin(page, 'tai', '太');
    await typePinyin(page, 'chang', '长');
    await page.locator('.kb .key.done').tap();
    expect(await text(page, '#comment-value')).toBe('等待时间太长');
    const phoneField = page.locator('.details-body .field').nth(1);
    expect(await phoneField.isDisabled()).toBe(true);
    await page.locator('.consent').tap();
    expect(await phoneField.isDisabled()).toBe(false);
    await phoneField.tap();
    for (const k of '13800138000') await page.locator('.pad .key', { hasText: new RegExp(`^${k}$`) }).tap();
    await page.locator('.pad .key.done').tap();
    await page.locator('.details-foot .primary').tap();
    await waitScreen(page, 'thanks');
    expect(await text(page, '.thanks-bad')).toContain('整改');

    // 非常不满意, details skipped: the rating stays, no detail record.
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await page.locator('.choice[data-level="1"]').tap();
    await waitScreen(page, 'details');
    await page.locator('.details-foot .secondary').tap();
    await waitScreen(page, 'thanks');

    // Pause: no rating possible; resume; logout.
    await waitScreen(page, 'idle', 5000);
    expect((await device.api('POST', '/api/pause')).status).toBe(200);
    await waitScreen(page, 'paused');
    expect((await device.api('POST', '/api/invite')).body.error).toBe('paused');
    expect((await device.api('POST', '/api/resume')).status).toBe(200);
    await waitScreen(page, 'idle');
    expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
    await waitScreen(page, 'paused');

    const records = readDeviceRecords(device.dataDir);
    const rs = records.filter((r) => r.kind === 'rating');
    expect(rs.map((r) => (r.kind === 'rating' ? [r.level, r.channel] : null))).toEqual([
      [5, 'device-touch'],
      [4, 'device-touch'],
      [3, 'device-touch'],
      [2, 'device-touch'],
      [1, 'device-touch'],
    ]);
    const details = records.filter((r) => r.kind === 'detail');
    expect(details).toHaveLength(1);
    const d = details[0]!;
    if (d.kind !== 'detail') throw new Error('not a detail');
    expect(d.ratingId).toBe(rs[3]!.id);
    expect(d.reasons).toEqual([offered[0]!.code, offered[6]!.code]);
    expect(d.comment).toBe('等待时间太长');
    expect(d.contact).toBeDefined();
    expect(JSON.stringify(d)).not.toContain('13800138000'); // sealed to the hall key (R10)
    const acks = await page.evaluate(() => window.__hcpMetrics.pressAckMs.length);
    expect(acks).toBeGreaterThanOrEqual(5);
  }, 90_000);

  it('times out invitation, details and thanks back to idle without losing the rating', async () => {
    const { page, device } = quick;
    await page.goto(quick.kioskUrl);
    await device.api('POST', '/api/badge', { uid: BADGE });
    await waitScreen(page, 'idle');
    // An invitation nobody answers closes by itself: no rating.
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await waitScreen(page, 'idle', 15_000);
    expect(ratings(device.dataDir)).toHaveLength(0);
    // A 差评 whose details are never given: details → thanks → idle, the rating kept.
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await page.locator('.choice[data-level="2"]').tap();
    await waitScreen(page, 'details');
    await waitScreen(page, 'thanks', 5000);
    await waitScreen(page, 'idle', 5000);
    expect(ratings(device.dataDir).map((r) => r.level)).toEqual([2]);
    expect(readDeviceRecords(device.dataDir).filter((r) => r.kind === 'detail')).toHaveLength(0);
  }, 60_000);

  it('without the right token shows a calm connecting screen and never a device screen', async () => {
    const { page, device } = quick;
    await page.goto(`${device.url}/#token=not-the-token`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('.connecting').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.dataset.screen)).toBeUndefined();
    expect(await text(page, '.status')).toContain('正在重新连接');
  });
});
