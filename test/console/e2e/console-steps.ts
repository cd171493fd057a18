/**
 * What hall IT and a manager do in the console, click by click, for the end-to-end test: log in on
 * the login page, add a department, a window and a staff member with a photo, register a device and
 * read its enrolment code off the screen. Only the UI: no API call is made from here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT } from '../../../scripts/lib/device-process.js';
import { settle } from '../console-browser.js';

export const E2E_OUT = join(REPO_ROOT, 'test-artifacts', 'console-e2e');

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page (what a user would see break). */
  errors: string[];
}

export async function newTab(browser: Browser): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  // Vue reports a component that failed to render on the console (it leaves a hole in the page).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text().slice(0, 300)}`);
  });
  return { context, page, errors };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(E2E_OUT, { recursive: true });
  await settle(page);
  await page.screenshot({ path: join(E2E_OUT, `${name}.png`) });
}

/** Log in on the login page, as a person types it; resolves on the first page of the role. */
export async function logIn(page: Page, url: string, username: string, password: string, landsOn: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId(landsOn).first().waitFor({ timeout: 15_000 });
}

/** An Element Plus dropdown's option (the dropdowns are teleported to <body>; only the open one is visible). */
function option(page: Page, text: string): Locator {
  return page.locator('.el-select-dropdown__item:visible, .el-tree-node:visible .el-tree-node__content').filter({ hasText: text }).first();
}

/** Open an Element Plus select by its input's id (its wrapper takes the click, not the input). */
async function openSelect(page: Page, id: string): Promise<void> {
  await page
    .locator('.el-select__wrapper')
    .filter({ has: page.locator(`#${id}`) })
    .click();
}

/** Go to a console page and wait for its own content: a hash change keeps the last page on screen a moment. */
export async function visit(page: Page, url: string, hash: string, title: string): Promise<void> {
  await page.goto(`${url}/#${hash}`);
  // The title (the Alerts page adds its count of unacknowledged ones right after it).
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${title}`) }).waitFor();
  // Loaded: its list, or the note that there is nothing yet.
  await page
    .locator('.page-state')
    .getByTestId(/-list$|-tree$|-table$|^empty$/)
    .first()
    .waitFor();
}

async function saved(page: Page): Promise<void> {
  await page.getByTestId('save').locator('visible=true').click();
  await page.locator('.el-message--success').last().waitFor();
}

export async function addDepartment(page: Page, url: string, name: string): Promise<void> {
  await visit(page, url, '/registry/departments', '部门');
  await page.getByTestId('create').click();
  await page.getByTestId('department-name-input').fill(name);
  await saved(page);
  await page.getByTestId('department-name').filter({ hasText: name }).waitFor();
}

export async function addWindow(page: Page, url: string, w: { windowId: string; number: string; department: string }): Promise<void> {
  await visit(page, url, '/registry/windows', '窗口');
  await page.getByTestId('create').click();
  await page.getByTestId('window-id').fill(w.windowId);
  await page.getByTestId('window-number').fill(w.number);
  await openSelect(page, 'window-department');
  await option(page, w.department).click();
  await saved(page);
  await page.getByTestId('window-department').filter({ hasText: w.department }).waitFor();
}

/** A portrait as a phone would take it, 4:3 landscape, as a JPEG (the console crops it to 3:4). */
export function portraitJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
    <rect width="800" height="600" fill="#dde7d4"/><circle cx="400" cy="250" r="120" fill="#e8bf9a"/>
    <path d="M280 250 Q400 70 520 250 Q505 140 400 128 Q295 140 280 250Z" fill="#3a2a20"/>
    <path d="M200 600 Q215 410 400 395 Q585 410 600 600Z" fill="#274b2f"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

export interface NewStaff {
  staffId: string;
  staffNo: string;
  name: string;
  post: string;
  title: string;
  windowLabel: string;
  badgeUid: string;
}

export async function addStaffWithPhoto(page: Page, url: string, s: NewStaff): Promise<void> {
  await visit(page, url, '/registry/staff', '工作人员');
  await page.getByTestId('create').click();
  await page.getByTestId('staff-id').fill(s.staffId);
  await page.getByTestId('staff-no').fill(s.staffNo);
  await page.getByTestId('staff-name').fill(s.name);
  await openSelect(page, 'staff-window');
  await option(page, s.windowLabel).click();
  await page.getByTestId('staff-post').fill(s.post);
  await page.getByTestId('staff-title').fill(s.title);
  // The badge typed into the tag input, as hall IT copies it off a card (Enter makes the tag).
  await openSelect(page, 'staff-badges');
  await page.keyboard.type(s.badgeUid);
  await page.keyboard.press('Enter');
  await page.locator('.el-select__tags, .el-select__selection').filter({ hasText: s.badgeUid }).first().waitFor();
  await shot(page, 'staff-dialog');
  await saved(page);

  const row = page.getByTestId('staff-list').locator('tbody tr').filter({ hasText: s.name });
  await row.getByTestId('change-photo').click();
  await page.getByTestId('photo-file').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await portraitJpeg() });
  await page.locator('.cropper-crop-box').waitFor();
  await shot(page, 'staff-photo-crop');
  await page.getByTestId('photo-upload').click();
  await row.getByTestId('staff-photo').waitFor();
  // The thumbnail is the stored photo, fetched back from the gateway.
  await row.getByTestId('staff-photo').evaluate((img: HTMLImageElement) => img.decode());
}

/** Register a device for a window; the one-time enrolment code as the dialog shows it. */
export async function registerDevice(page: Page, url: string, deviceId: string, windowLabel: string): Promise<string> {
  await visit(page, url, '/registry/devices', '设备登记');
  await page.getByTestId('create').click();
  await page.getByTestId('device-id').fill(deviceId);
  await openSelect(page, 'device-window');
  await option(page, windowLabel).click();
  await page.getByTestId('save').locator('visible=true').click();
  await page.getByTestId('enrolment-qr').first().waitFor();
  await shot(page, 'device-enrolment-code');
  const code = (await page.getByTestId('enrolment-code').first().textContent())?.trim() ?? '';
  await page.getByTestId('code-dialog').getByRole('button', { name: '关闭', exact: true }).click();
  return code;
}
