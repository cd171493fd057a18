/**
 * The stand of the report screens: the in-process gateway serving the built console on a fake clock
 * the test moves, with the reports' fixture month (November 2026, test/reports/fixture-month.ts:
 * two departments, 16 ratings, follow-ups, one write-off) written into its store as the reports'
 * own tests do, and a manager, a supervisor and a department head. Each person has a Chromium
 * context whose clock is the stand's (so "last month" in the console is the gateway's) and whose
 * session cookie is renewed when the clock jumps (sessions live 12 h on the same clock).
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Gateway } from '../../../gateway/gateway.js';
import { CONSOLE_DIST } from '../../../gateway/http/console-static.js';
import { seedFixtureMonth } from '../../reports/fixture-month.js';
import { loggedIn, type ConsoleClient } from '../../support/console-client.js';
import { startInProcessGateway } from '../../sync/gateway-fixture.js';
import { OUT, SIZES, settle } from '../console-browser.js';

export const PEOPLE = {
  manager: { username: 'mgr1', password: 'manager-password-1', role: 'manager' },
  supervisor: { username: 'sup1', password: 'supervisor-pass-1', role: 'supervisor' },
  head: { username: 'head1', password: 'head-password-01', role: 'dept-head' },
} as const;
export type Person = keyof typeof PEOPLE;

export interface PersonPage {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Open a console address (`/reports?id=…`) and wait for `testId`. */
  open(hash: string, testId: string): Promise<void>;
}

export interface ReportStand {
  gw: Gateway;
  url: string;
  clock: { t: number };
  as: Record<Person, ConsoleClient>;
  /** Move the clock, log everyone in again, and bring the browsers to the new time. */
  at(iso: string): Promise<void>;
  pageFor(browser: Browser, who: Person): Promise<PersonPage>;
  stop(): Promise<void>;
}

export async function startReportStand(startAt: string): Promise<ReportStand> {
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) throw new Error(`the console is not built (${CONSOLE_DIST}/index.html): run npm run build:console first`);
  const clock = { t: Date.parse(startAt) };
  // The feature's own recheck is kept out of the way (an hour): here the manager makes each version.
  const gw = await startInProcessGateway({ clock: { now: () => clock.t }, sections: { reports: { ranking: { minRatings: 5 }, checkEveryMs: 3_600_000 } } });
  await seedFixtureMonth(gw.store.db);
  await gw.auth.createUser(PEOPLE.manager.username, PEOPLE.manager.password, 'manager');
  await gw.auth.createUser(PEOPLE.supervisor.username, PEOPLE.supervisor.password, 'supervisor');
  await gw.auth.createUser(PEOPLE.head.username, PEOPLE.head.password, 'dept-head', { departmentId: 'd-a' });
  const as = {} as Record<Person, ConsoleClient>;
  const relogin = async () => {
    for (const p of Object.keys(PEOPLE) as Person[]) as[p] = await loggedIn(gw, PEOPLE[p].username, PEOPLE[p].password);
  };
  await relogin();
  const syncs: Array<() => Promise<void>> = [];

  return {
    gw,
    url: gw.httpUrl,
    clock,
    as,
    async at(iso) {
      clock.t = Date.parse(iso);
      await relogin();
      for (const sync of syncs) await sync();
    },
    async pageFor(browser, who) {
      const context = await browser.newContext({ viewport: SIZES[0], deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
        if (/Not found '.*' key|intlify/i.test(m.text())) errors.push(`i18n: ${m.text()}`);
      });
      const sync = async () => {
        await context.clock.setFixedTime(new Date(clock.t));
        await context.addCookies([{ name: 'hcp_session', value: as[who].token, url: gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
      };
      await sync();
      syncs.push(sync);
      return {
        context,
        page,
        errors,
        async open(hash, testId) {
          await page.goto(`${gw.httpUrl}/#${hash}`);
          await page.reload(); // a hash change alone does not reload the page's data
          await page
            .getByTestId(testId)
            .first()
            .waitFor()
            .catch(async (err: unknown) => {
              await page.screenshot({ path: `${OUT}/reports-failed-${who}.png` });
              throw err;
            });
          await settle(page, 150);
        },
      };
    },
    stop: () => gw.stop(),
  };
}
