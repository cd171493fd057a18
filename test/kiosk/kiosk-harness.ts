/**
 * The kiosk test stand: a REAL device runtime process (device/main.ts, serving the built renderer)
 * and Debian's Chromium driven by playwright-core with a fresh profile. Shared by the kiosk suites
 * and scripts/bench-kiosk.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Screen } from '../../device/contract/index.js';
import { buildRenderer } from '../../electron-app/build.js';
import { startDevice, type RunningDevice } from '../support/device-process.js';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const BADGE = '0A1B2C3D4E';

/** A drawn portrait as the staff photo (the roster carries photos as data: URLs). */
const PHOTO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 400"><rect width="300" height="400" fill="#cfe0ef"/>' +
    '<circle cx="150" cy="150" r="80" fill="#f1c9a5"/><path d="M70 150 Q150 30 230 150 Q220 80 150 70 Q80 80 70 150Z" fill="#2b2b2b"/>' +
    '<path d="M30 400 Q40 260 150 250 Q260 260 270 400Z" fill="#1f3b63"/></svg>',
).toString('base64')}`;

export interface KioskStand {
  device: RunningDevice;
  context: BrowserContext;
  page: Page;
  kioskUrl: string;
  stop(): Promise<void>;
}

export interface StandOptions {
  name: string;
  viewport?: { width: number; height: number };
  deviceConfig?: Record<string, unknown>;
  build?: boolean;
}

export async function startStand(o: StandOptions): Promise<KioskStand> {
  if (o.build !== false) await buildRenderer();
  const dir = mkdtempSync(join(tmpdir(), `hcp-kiosk-${o.name}-`));
  const hall = generateKeyPairSync('x25519');
  const device = await startDevice({
    deviceId: `dev-${o.name}`,
    dir,
    config: {
      bootstrap: {
        hallName: '廊坊市政务服务中心',
        window: { id: 'w-07', number: '07', department: '市场监管局' },
        roster: [{ staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: [BADGE], photo: PHOTO }],
        contactKey: { keyId: 'hall-2026', publicKeyPem: hall.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
        qrBaseUrl: 'https://pj.zwfw.example.gov.cn',
      },
      ...o.deviceConfig,
    },
  });
  const context = await launchChromium(join(dir, 'chromium-profile'), o.viewport ?? { width: 1280, height: 800 });
  const page = context.pages()[0] ?? (await context.newPage());
  const kioskUrl = `${device.url}/#token=${encodeURIComponent(device.token)}`;
  return {
    device,
    context,
    page,
    kioskUrl,
    async stop() {
      await context.close().catch(() => undefined);
      await device.stop();
    },
  };
}

export function launchChromium(profileDir: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    hasTouch: true,
    deviceScaleFactor: 1,
  });
}

/**
 * Poll from here: playwright's waitForFunction evaluates with `new Function` in the page, which the
 * kiosk's CSP (no 'unsafe-eval') rightly refuses; page.evaluate goes through the devtools protocol.
 */
export async function waitFor<T>(page: Page, fn: () => T | Promise<T>, what: string, timeout = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn);
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitScreen(page: Page, screen: Screen, timeout = 10_000): Promise<void> {
  const until = Date.now() + timeout;
  for (;;) {
    const now = await page.evaluate(() => document.documentElement.dataset.screen);
    if (now === screen) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for screen ${screen} (on ${String(now)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core over the whole page; evaluated through the devtools protocol, so the page's CSP stays on. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

/** At 96 CSS px per inch (our assumption for the device's panel), 15 mm = 56.7 px. */
export const MIN_TARGET_PX = 57;

/** Interactive elements smaller than 15 mm, and texts that overflow or are clipped by their box. */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const problems: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 24)}"`;
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    for (const el of document.querySelectorAll('button, [role="checkbox"], a[href], input, select, textarea')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < min || r.height < min) problems.push(`target ${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const scroller = (el: Element): Element | null => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const cs = getComputedStyle(p);
        if ([cs.overflowX, cs.overflowY].some((o) => o === 'auto' || o === 'scroll')) return p;
      }
      return null;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || !visible(el)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const t = range.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      const tol = 2;
      // A font's content area is taller than its line box (Noto CJK ~1.45 em, Tibetan stacks more):
      // allow half an em above and below; a wrapped line that does not fit overflows by a whole line.
      const vtol = Math.max(tol, 0.5 * parseFloat(getComputedStyle(el).fontSize));
      if (t.left < box.left - tol || t.right > box.right + tol || t.top < box.top - vtol || t.bottom > box.bottom + vtol) {
        problems.push(`text overflows its box: ${name(el)} text ${Math.round(t.width)}×${Math.round(t.height)} box ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
      if (el.scrollWidth > el.clientWidth + tol && getComputedStyle(el).overflowX !== 'visible') problems.push(`text clipped horizontally: ${name(el)}`);
      const inScroller = scroller(el);
      if (!inScroller && (t.left < -tol || t.right > vw + tol)) problems.push(`text outside the screen: ${name(el)}`);
      if (!inScroller && (t.top < -tol || t.bottom > vh + tol)) problems.push(`text below the screen: ${name(el)}`);
    }
    return problems;
  }, MIN_TARGET_PX);
}

/** Percentile of a sample (nearest rank). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
