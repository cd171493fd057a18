/**
 * The kiosk for every citizen, in Chromium against a real device runtime: the on-screen language
 * (中文 / བོད་ཡིག / English) and large-text controls, back to the hall's defaults after each citizen
 * and never sent to the runtime; the reasons in Tibetan (marked unreviewed); and a comment typed
 * by pinyin with simple-keyboard and its Chinese dictionary: 跑了好几趟, the core complaint of the scheme.
 * Screenshots under test-artifacts/kiosk/ (look at them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CATALOGUE_VERSION, LEVELS, RATING_LEVELS, reasonsForLevel } from '../../device/contract/index.js';
import { REPO_ROOT } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { BADGE, layoutProblems, startStand, waitScreen, type KioskStand } from './kiosk-harness.js';

const OUT = join(REPO_ROOT, 'test-artifacts', 'kiosk');
// innerText, not textContent: what the citizen sees.
const texts = (page: Page, sel: string) => page.locator(sel).allInnerTexts();
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is under test
const text = (page: Page, sel: string) => page.locator(sel).first().innerText();
const pageLang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const largeText = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('large-text'));
const rootFontPx = (page: Page) => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
const pressed = (page: Page) => page.locator('.citizen-bar [aria-pressed="true"]').allInnerTexts();

async function waitLang(page: Page, tag: string): Promise<void> {
  for (let i = 0; i < 400 && (await pageLang(page)) !== tag; i++) await new Promise((r) => setTimeout(r, 25));
  expect(await pageLang(page)).toBe(tag);
}

async function shot(page: Page, name: string, problems: string[]): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  for (const p of await layoutProblems(page)) problems.push(`${name}: ${p}`);
}

/** Spell `letters` on the on-screen keys, then tap `pick` in the candidate bar, turning its pages (›) until it shows. */
async function typePinyin(page: Page, letters: string, pick: string): Promise<number> {
  for (const k of letters) await page.locator('.kb .key', { hasText: new RegExp(`^${k}$`) }).tap();
  let turns = 0;
  while ((await page.locator('.kb .cand', { hasText: new RegExp(`^${pick}$`) }).count()) === 0) {
    const more = page.locator('.kb .cand.page').last();
    if (turns > 20 || (await more.isDisabled())) throw new Error(`no candidate ${pick} for ${letters}`);
    await more.tap();
    turns++;
  }
  await page
    .locator('.kb .cand', { hasText: new RegExp(`^${pick}$`) })
    .first()
    .tap();
  return turns;
}

describe('the kiosk for every citizen', () => {
  let stand: KioskStand;
  const problems: string[] = [];
  const sent: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stand = await startStand({ name: 'citizen', deviceConfig: { thanksTimeoutSec: 2, detailsTimeoutSec: 300, logLevel: 'debug' } });
    // Everything the kiosk page sends to the runtime, to show the citizen's choice is not in it.
    stand.page.on('request', (r) => sent.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`));
    await stand.page.goto(stand.kioskUrl);
    await stand.device.api('POST', '/api/badge', { uid: BADGE });
    await waitScreen(stand.page, 'idle');
  });
  afterAll(async () => stand?.stop());

  it('switches to Tibetan and large text for one citizen, then back to the hall default', async () => {
    const { page, device } = stand;
    expect(await texts(page, '.citizen-bar .citizen-lang')).toEqual(['中文', 'བོད་ཡིག', 'English']);
    expect(await pressed(page)).toEqual(['中文']);
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await shot(page, 'citizen-1-armed-zh', problems);

    const normalPx = await rootFontPx(page);
    await page.locator('.citizen-lang[data-lang="bo"]').tap();
    await waitLang(page, 'bo');
    expect(await texts(page, '.choice-text')).toEqual(RATING_LEVELS.map((l) => LEVELS[l].bo));
    await page.locator('.citizen-size').tap();
    expect(await largeText(page)).toBe(true);
    expect(await rootFontPx(page)).toBeGreaterThan(normalPx);
    expect(await page.locator('.citizen-size').getAttribute('aria-pressed')).toBe('true');
    expect(await texts(page, '.citizen-size span:not(.size-glyph)')).toEqual(['ཡིག་གཟུགས་ཆེ་བ།']);
    await shot(page, 'citizen-2-armed-bo-large', problems);

    // The reasons of a 差评 in Tibetan, marked as not yet reviewed by a native reader.
    await page.locator('.choice[data-level="2"]').tap();
    await waitScreen(page, 'details');
    const offered = reasonsForLevel(CURRENT_CATALOGUE_VERSION, 2);
    expect(await texts(page, '.reason')).toEqual(offered.map((r) => r.bo));
    expect(offered.every((r) => r.bo && /^[\u0F00-\u0FFF]+$/.test(r.bo))).toBe(true);
    expect(await page.locator('.reasons').getAttribute('data-translation')).toBe('unreviewed');
    expect(await text(page, 'body')).not.toMatch(/reviewed|审核|审校/i);
    await page.locator('.reason').first().tap();
    await shot(page, 'citizen-3-details-bo-large', problems);
    await page.locator('.details-foot .primary').tap();
    await waitScreen(page, 'thanks');
    expect(await pageLang(page)).toBe('bo');

    // The visit ends: idle returns in the hall's language and text size.
    await waitScreen(page, 'idle', 5000);
    await waitLang(page, 'zh-CN');
    expect(await largeText(page)).toBe(false);
    expect(await pressed(page)).toEqual(['中文']);
    await shot(page, 'citizen-4-idle-back-to-zh', problems);
    expect(problems).toEqual([]);
  }, 60_000);

  it('ends the choice with the next invitation, and returns to a Tibetan hall default too', async () => {
    const { page, device } = stand;
    expect((await device.api('POST', '/api/settings', { language: 'bo' })).status).toBe(200);
    await waitLang(page, 'bo');
    await shot(page, 'citizen-5-idle-bo-default', problems);
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await page.locator('.citizen-lang[data-lang="zh"]').tap();
    await waitLang(page, 'zh-CN');
    await page.locator('.choice[data-level="5"]').tap();
    await waitScreen(page, 'thanks');
    expect(await pageLang(page)).toBe('zh-CN');
    // The next citizen is invited while thanks is still up: they start in the hall's language.
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await waitLang(page, 'bo');
    expect(await pressed(page)).toEqual(['བོད་ཡིག']);
    await shot(page, 'citizen-6-armed-bo-default', problems);
    // An invitation cancelled by logout: paused, and the choice is gone with it.
    await page.locator('.citizen-lang[data-lang="en"]').tap();
    await waitLang(page, 'en');
    await device.api('POST', '/api/badge', { uid: BADGE });
    await waitScreen(page, 'paused');
    await waitLang(page, 'bo');
    expect(await page.locator('.citizen-bar').isVisible()).toBe(false);
    expect((await device.api('POST', '/api/settings', { language: 'zh' })).status).toBe(200);
    await device.api('POST', '/api/badge', { uid: BADGE });
    await waitScreen(page, 'idle');
    expect(problems).toEqual([]);
  }, 60_000);

  it('types 跑了好几趟 by pinyin, keeps the quick phrases, and stores the comment', async () => {
    const { page, device } = stand;
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await page.locator('.choice[data-level="1"]').tap();
    await waitScreen(page, 'details');
    await page.locator('.details-body .field').first().tap();
    // With nothing spelled, the bar offers the quick phrases.
    expect(await texts(page, '.kb .cand.phrase')).toContain('要跑好几次');
    await typePinyin(page, 'pao', '跑');
    await typePinyin(page, 'le', '了');
    await typePinyin(page, 'hao', '好');
    for (const k of 'ji') await page.locator('.kb .key', { hasText: new RegExp(`^${k}$`) }).tap();
    await shot(page, 'citizen-7-keyboard-ji', problems);
    // 几 is on the second page of "ji": the page turn is part of typing it.
    await page.locator('.kb .key', { hasText: /^←$/ }).tap();
    await page.locator('.kb .key', { hasText: /^←$/ }).tap();
    expect(await typePinyin(page, 'ji', '几')).toBeGreaterThan(0);
    await typePinyin(page, 'tang', '趟');
    expect(await text(page, '.kb-text')).toBe('跑了好几趟');
    await page.locator('.kb .cand.phrase', { hasText: '希望多一些耐心' }).tap();
    await shot(page, 'citizen-8-keyboard-typed', problems);
    // In portrait the Done key lies over Submit: closing the sheet must not let the tap submit too.
    await page.setViewportSize({ width: 800, height: 1280 });
    await shot(page, 'citizen-9-keyboard-portrait', problems);
    await page.locator('.kb .key.done').tap();
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.evaluate(() => document.documentElement.dataset.screen)).toBe('details');
    expect(await page.locator('.kb').count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await text(page, '#comment-value')).toBe('跑了好几趟，希望多一些耐心');
    await page.locator('.details-foot .primary').tap();
    await waitScreen(page, 'thanks');
    const details = readDeviceRecords(device.dataDir).filter((r) => r.kind === 'detail');
    const last = details.at(-1);
    expect(last?.kind === 'detail' ? last.comment : null).toBe('跑了好几趟，希望多一些耐心');
    expect(problems).toEqual([]);
  }, 60_000);

  it('never sends, stores or logs the language and text size a citizen picked', async () => {
    const { device } = stand;
    const posts = sent.filter((s) => s.startsWith('POST '));
    expect(posts.length).toBeGreaterThanOrEqual(4); // rates and details went out, nothing else of the citizen's
    for (const s of sent) expect(s).not.toMatch(/language|largeText|large-text|"bo"|བོད/);
    expect(posts.every((s) => /\/api\/(rate|details|details\/skip|details\/activity) /.test(s))).toBe(true);
    for (const r of readDeviceRecords(device.dataDir)) expect(JSON.stringify(r)).not.toMatch(/language|largeText|"bo"/);
    // The runtime's own log (at debug) has the hall's settings changes from the test, nothing of a citizen's.
    expect(device.stderr()).not.toMatch(/largeText|large-text/);
    expect((await device.api('GET', '/api/state')).body.settings).toMatchObject({ language: 'zh', largeText: false });
  });

  // Last in the file: it puts the page on Playwright's fake clock.
  it('forgets a choice made on the idle screen after a quiet minute', async () => {
    const { page, device } = stand;
    await device.api('POST', '/api/invite');
    await waitScreen(page, 'armed');
    await device.api('POST', '/api/badge', { uid: BADGE }); // logout, login: a calm idle screen
    await device.api('POST', '/api/badge', { uid: BADGE });
    await waitScreen(page, 'idle');
    await page.clock.install();
    await page.locator('.citizen-lang[data-lang="bo"]').tap();
    await page.locator('.citizen-size').tap();
    await waitLang(page, 'bo');
    await page.clock.runFor(50_000);
    expect(await pageLang(page)).toBe('bo'); // still someone's choice (the last touch restarted the minute)
    await page.locator('.citizen-lang[data-lang="en"]').tap();
    await page.clock.runFor(50_000);
    expect(await pageLang(page)).toBe('en');
    await page.clock.runFor(11_000);
    await waitLang(page, 'zh-CN');
    expect(await largeText(page)).toBe(false);
  });
});
