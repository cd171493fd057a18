/**
 * Driving the console in Debian's Chromium for the console suite: a browser, a page per role with
 * that role's session cookie, and the checks every screen gets — screenshots at the two sizes the
 * hall uses (test-artifacts/console/<screen>-<width>.png: look at them), axe-core with no serious
 * or critical violation, no i18n key shown as text, and no English sentence in the Chinese UI
 * outside what the gateway itself wrote.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/device-process.js';
import type { ConsoleStand, StandRole } from './console-stand.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const OUT = join(REPO_ROOT, 'test-artifacts', 'console');
export const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1366, height: 768 },
] as const;

export function launchBrowser(): Promise<Browser> {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and failed requests the page reported (a 401/403/404 the test provoked is expected there). */
  errors: string[];
}

/** A fresh browser context with `role`'s session cookie (none: logged out), at 1920×1080. */
export async function pageAs(browser: Browser, stand: ConsoleStand, role: StandRole | null): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: SIZES[0], deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  if (role) await context.addCookies([{ name: 'hcp_session', value: stand.as[role].token, url: stand.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
    if (/Not found '.*' key|intlify/i.test(m.text())) errors.push(`i18n: ${m.text()}`);
  });
  return { context, page, errors };
}

/** Wait for Vue to render, the menus' and dialogs' transitions to end, and ECharts to draw. */
export async function settle(page: Page, ms = 350): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(ms);
}

/** Element Plus toasts (ElMessage) closed: each closes itself after 3 s. */
export async function toastsGone(page: Page): Promise<void> {
  await page
    .locator('.el-message')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core over the page, through the devtools protocol (the console's CSP allows no eval). */
export async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const a = (
      window as unknown as {
        axe: { run(d: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> };
      }
    ).axe;
    const r = await a.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

/**
 * Text that should not be on a Chinese screen: an i18n key shown as itself (`live.total`), or an
 * English phrase outside what the gateway wrote (its messages and alert details, shown as such),
 * codes, ids and the language switch's own "English".
 */
export async function textProblems(page: Page, chinese: boolean): Promise<string[]> {
  return page.evaluate((zh) => {
    const problems: string[] = [];
    const skip = '.gateway-said, .gateway-detail, .mono, code, [lang="en"], .el-select__tags, .detail-json, svg, script, style';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim() ?? '';
      if (!el || !text || el.closest(skip)) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      if (/\b(app|nav|common|errors|login|stream|live|screen|screenLinks|devices|alerts|registry|accounts|integrity|audit|levels|roles|notFound)\.[a-zA-Z]+/.test(text))
        problems.push(`i18n key shown: "${text}"`);
      if (zh && /[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}/.test(text)) problems.push(`English in the Chinese UI: "${text.slice(0, 80)}"`);
    }
    return problems;
  }, chinese);
}

/** Screenshots at both sizes with the checks of each; answers what was wrong. */
export async function capture(page: Page, screen: string, o: { chinese?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  // A toast fades out 3 s after it came: caught half-faded, its text fails axe's contrast check
  // (seen on a loaded CI machine). Shots are of the screen once its toasts are gone.
  await toastsGone(page);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settle(page);
    await page.screenshot({ path: join(OUT, `${screen}-${size.width}.png`) });
    for (const v of await axe(page)) {
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${screen} ${size.width}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
    }
    for (const p of await textProblems(page, o.chinese ?? true)) problems.push(`${screen} ${size.width}: ${p}`);
  }
  await page.setViewportSize(SIZES[0]);
  return problems;
}
