/**
 * Pages of the walkthrough's people in Chromium: each a browser context with that person's session
 * cookie and the browser's clock fixed to the stand's fake clock (so "today" in the console is the
 * gateway's today), moved together when the test moves time. Clicks name what a user would see.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OUT, SIZES, settle } from '../console-browser.js';
import type { FollowupStand, Person } from './followup-stand.js';

export interface PersonPage {
  who: Person;
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** The person's current session and the stand's clock, after `stand.relogin()` or `stand.at()`. */
  sync(): Promise<void>;
  /** Open a console address (`/followups?id=…`) and wait for `testId`. */
  open(hash: string, testId: string): Promise<void>;
}

export async function personPage(browser: Browser, stand: FollowupStand, who: Person): Promise<PersonPage> {
  const context = await browser.newContext({ viewport: SIZES[0], deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
    if (/Not found '.*' key|intlify/i.test(m.text())) errors.push(`i18n: ${m.text()}`);
  });
  const sync = async () => {
    await context.clock.setFixedTime(new Date(stand.clock.t));
    await context.addCookies([{ name: 'hcp_session', value: stand.as[who].token, url: stand.url, httpOnly: true, sameSite: 'Strict' }]);
  };
  await sync();
  return {
    who,
    context,
    page,
    errors,
    sync,
    async open(hash, testId) {
      await page.goto(`${stand.url}/#${hash}`);
      // A hash change alone does not reload: make sure the page shows this address's data.
      await page.reload();
      await page
        .getByTestId(testId)
        .first()
        .waitFor()
        .catch(async (err: unknown) => {
          await page.screenshot({ path: `${OUT}/followups-failed-${who}.png` });
          throw err;
        });
      await settle(page, 150);
    },
  };
}

/** Pick the radio button that says `text` in the group `testId`. */
export async function choose(page: Page, testId: string, text: string): Promise<void> {
  await page
    .getByTestId(testId)
    .locator('label')
    .filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) })
    .click();
}

/** Submit the step form and wait for the gateway's answer to show (the success toast). */
export async function submitStep(page: Page, testId = 'step-submit'): Promise<void> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/'));
  const reloaded = page.waitForResponse((r) => r.request().method() === 'GET' && /\/api\/followups\/fu-[^/]+$/.test(r.url()));
  await page.getByTestId(testId).click();
  const r = await posted;
  if (r.status() !== 200) throw new Error(`${testId}: the gateway answered ${r.status()} ${await r.text()}`);
  await reloaded;
  await settle(page, 200);
}

/** A small PNG, as a photo of a fixed counter would be. */
export const COUNTER_PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAFklEQVR4nGNgYPj/n4GBgYGJAQoYGAAmEgMBkoVKWwAAAABJRU5ErkJggg==', 'base64');
/** A one-page PDF, as a scanned letter of evidence. */
export const EVIDENCE_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
