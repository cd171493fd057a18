/**
 * Every kiosk screen in zh, en and bo at 1280×800 and 800×1280, against a real device runtime:
 * screenshots saved under test-artifacts/kiosk/ (look at them), no text overflowing or clipped,
 * every touch target ≥ 15 mm (57 px at an assumed 96 px/inch), and no serious or critical axe-core
 * violation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language, Screen } from '../../device/contract/index.js';
import { REPO_ROOT } from '../support/device-process.js';
import type { Page } from 'playwright-core';
import { BADGE, layoutProblems, runAxe, startStand, waitScreen, type KioskStand } from './kiosk-harness.js';

async function waitForLang(page: Page, lang: Language): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await page.evaluate(() => document.documentElement.lang + '|' + (document.querySelector('.stage main') ? 'y' : ''))) === `${lang === 'zh' ? 'zh-CN' : lang}|y`) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`language ${lang} never showed`);
}

const OUT = join(REPO_ROOT, 'test-artifacts', 'kiosk');
const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 1280 },
];

describe('kiosk screens in three languages and two orientations', () => {
  let stand: KioskStand;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stand = await startStand({ name: 'screens', deviceConfig: { thanksTimeoutSec: 60, detailsTimeoutSec: 300 } });
  });
  afterAll(async () => stand?.stop());

  async function capture(lang: Language, label: string, screen: Screen): Promise<void> {
    const { page } = stand;
    await waitScreen(page, screen);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.screenshot({ path: join(OUT, `${label}-${lang}-${size.width}x${size.height}.png`) });
      for (const p of await layoutProblems(page)) problems.push(`${label} ${lang} ${size.width}x${size.height}: ${p}`);
      for (const v of await runAxe(page)) {
        if (v.impact === 'serious' || v.impact === 'critical')
          problems.push(`${label} ${lang} ${size.width}x${size.height}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
      }
    }
  }

  it('renders paused, idle, armed, details (with keyboard and number pad) and thanks cleanly', async () => {
    const { page, device } = stand;
    await page.goto(stand.kioskUrl);
    for (const lang of ['zh', 'en', 'bo'] as const) {
      expect((await device.api('POST', '/api/settings', { language: lang })).status).toBe(200);
      await waitForLang(page, lang);
      await capture(lang, '1-paused', 'paused');
      expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
      await capture(lang, '2-idle', 'idle');
      expect((await device.api('POST', '/api/invite')).status).toBe(200);
      await capture(lang, '3-armed', 'armed');
      await page.locator('.choice[data-level="1"]').tap();
      await capture(lang, '4-details', 'details');
      await page.locator('.reason').first().tap();
      await page.locator('.details-body .field').first().tap();
      for (const k of 'deng') await page.locator('.kb .key', { hasText: new RegExp(`^${k}$`) }).tap();
      await capture(lang, '5-keyboard', 'details');
      await page.locator('.kb .key.done').tap();
      await page.locator('.consent').tap();
      await page.locator('.details-body .field').nth(1).tap();
      for (const k of '1380013') await page.locator('.pad .key', { hasText: new RegExp(`^${k}$`) }).tap();
      await capture(lang, '6-numberpad', 'details');
      await page.locator('.pad .key.done').tap();
      await page.locator('.details-foot .secondary').tap();
      await capture(lang, '7-thanks', 'thanks');
      // A new invitation ends thanks (its rating is kept); logging out then pauses for the next language.
      expect((await device.api('POST', '/api/invite')).status).toBe(200);
      await waitScreen(page, 'armed');
      expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
      await page.setViewportSize(SIZES[0]!);
    }
    // The citizen-facing modes: large text and high contrast, armed and details, in Chinese.
    await device.api('POST', '/api/settings', { language: 'zh', largeText: true, highContrast: true });
    await device.api('POST', '/api/badge', { uid: BADGE });
    await device.api('POST', '/api/invite');
    await capture('zh', '8-armed-large-contrast', 'armed');
    await page.locator('.choice[data-level="2"]').tap();
    await capture('zh', '9-details-large-contrast', 'details');
    await device.api('POST', '/api/settings', { largeText: false, highContrast: false });
    expect(problems).toEqual([]);
  }, 150_000);
});
