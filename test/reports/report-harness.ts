/**
 * A real in-process gateway (test/sync/gateway-fixture.ts) on a clock the test moves, with the
 * fixture month seeded and console sessions for a manager, a supervisor and a department head.
 */
import type { Gateway } from '../../gateway/gateway.js';
import type { ReportsFeature } from '../../gateway/reports/reports-feature.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { seedFixtureMonth } from './fixture-month.js';

export interface ReportHarness {
  gw: Gateway;
  reports: ReportsFeature;
  clock: { t: number; now(): number };
  manager: ConsoleClient;
  supervisor: ConsoleClient;
  head: ConsoleClient;
  /** Move the clock (sessions expire by it, so everyone logs in again). */
  at(ms: number): Promise<void>;
}

const PASSWORD = 'Reports-fixture-2026';

export async function startReportHarness(start = Date.parse('2026-11-20T10:00:00+08:00')): Promise<ReportHarness> {
  const clock = { t: start, now: () => clock.t };
  const gw = await startInProcessGateway({ clock, sections: { reports: { ranking: { minRatings: 5 } } } });
  const reports = gw.features.get('reports') as ReportsFeature;
  await reports.settle();
  await seedFixtureMonth(gw.store.db);
  await gw.auth.createUser('mgr', PASSWORD, 'manager');
  await gw.auth.createUser('sup', PASSWORD, 'supervisor');
  await gw.auth.createUser('head', PASSWORD, 'dept-head', { departmentId: 'd-a' });
  const h: ReportHarness = {
    gw,
    reports,
    clock,
    manager: await loggedIn(gw, 'mgr', PASSWORD),
    supervisor: await loggedIn(gw, 'sup', PASSWORD),
    head: await loggedIn(gw, 'head', PASSWORD),
    async at(ms) {
      clock.t = ms;
      h.manager = await loggedIn(gw, 'mgr', PASSWORD);
      h.supervisor = await loggedIn(gw, 'sup', PASSWORD);
      h.head = await loggedIn(gw, 'head', PASSWORD);
    },
  };
  return h;
}
