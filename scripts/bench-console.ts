/**
 * Console benchmark (issue 11): a year of a 200-window hall — about 2 million ratings — and the
 * console's queries against it, each through the HTTP API (login cookie, scope, JSON) next to the
 * same question asked of SQLite directly in the same run (the floor no API can beat). Prints p50 and
 * p95 per query and their ratio, then how long the live page takes in Chromium until its figures
 * show (needs `npm run build:console`). Targets: every console query p95 ≤ 200 ms; the live page
 * interactive in ≤ 1 s.
 *
 * Usage: npm run bench:console [-- --ratings 2000000 --windows 200]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { parseGatewayConfig } from '../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../gateway/features.js';
import { Gateway } from '../gateway/gateway.js';
import { CONSOLE_DIST } from '../gateway/http/console-static.js';
import { allMigrations } from '../gateway/migrations.js';
import { openSqliteStore } from '../gateway/store/database.js';
import { migrateStore } from '../gateway/store/migrations.js';
import { seedHallYear, type SeededHall } from './lib/seed-hall-year.js';

const { values } = parseArgs({
  options: { ratings: { type: 'string', default: '2000000' }, windows: { type: 'string', default: '200' }, runs: { type: 'string', default: '40' } },
});
const RATINGS = Number(values.ratings);
const WINDOWS = Number(values.windows);
const RUNS = Number(values.runs);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timeIt(runs: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  await fn(); // warm: the first run pays for statement preparation and page cache
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

interface Probe {
  name: string;
  path: string;
  token: 'manager' | 'head' | 'auditor';
  raw: (db: Database.Database) => unknown;
}

function probes(h: SeededHall): Probe[] {
  const { today, busyDay, headDepartment } = h;
  const monthAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const daySql = `SELECT window_id, window_number, department, department_id, level, is_default, count(*) n FROM assessments
    WHERE china_date = ? AND superseded_by IS NULL GROUP BY window_id, window_number, department, department_id, level, is_default`;
  const hourSql = `SELECT (cast(substr(pressed_at, 12, 2) as integer) + 8) % 24 h, count(*) n FROM assessments WHERE china_date = ? AND superseded_by IS NULL GROUP BY h`;
  const feedSql = `SELECT l.seq, l.change, a.* FROM assessment_log l JOIN assessments a ON a.assess_id = l.assess_id
    WHERE l.change IN ('created', 'details') ORDER BY l.seq DESC LIMIT 50`;
  const headFeedSql = `SELECT l.seq, l.change, a.* FROM assessment_log l JOIN assessments a ON a.assess_id = l.assess_id
    WHERE l.change IN ('created', 'details') AND a.department_id = ? ORDER BY l.seq DESC LIMIT 50`;
  return [
    { name: 'live summary, today (hall)', path: '/api/live/summary', token: 'manager', raw: (db) => [db.prepare(daySql).all(today), db.prepare(hourSql).all(today)] },
    {
      name: 'live summary, busiest day (hall)',
      path: `/api/live/summary?date=${busyDay}`,
      token: 'manager',
      raw: (db) => [db.prepare(daySql).all(busyDay), db.prepare(hourSql).all(busyDay)],
    },
    {
      name: 'live summary, today (department head)',
      path: '/api/live/summary',
      token: 'head',
      raw: (db) => db.prepare(daySql.replace('WHERE', 'WHERE department_id = ? AND')).all(headDepartment, today),
    },
    { name: 'live feed, latest 50 (hall)', path: '/api/live/feed?limit=50', token: 'manager', raw: (db) => db.prepare(feedSql).all() },
    { name: 'live feed, latest 50 (department head)', path: '/api/live/feed?limit=50', token: 'head', raw: (db) => db.prepare(headFeedSql).all(headDepartment) },
    { name: 'windows', path: '/api/windows', token: 'manager', raw: (db) => db.prepare('SELECT * FROM windows ORDER BY number').all() },
    { name: 'staff', path: '/api/staff', token: 'manager', raw: (db) => db.prepare('SELECT staff_id, name, post, title, window_id FROM staff ORDER BY staff_id').all() },
    { name: 'departments', path: '/api/departments', token: 'manager', raw: (db) => db.prepare('SELECT * FROM departments ORDER BY name').all() },
    { name: 'devices', path: '/api/devices', token: 'manager', raw: (db) => db.prepare('SELECT * FROM devices').all() },
    {
      name: 'alerts',
      path: '/api/alerts',
      token: 'manager',
      raw: (db) => db.prepare('SELECT * FROM alerts WHERE cleared_at IS NULL OR acked_at IS NULL ORDER BY last_at DESC LIMIT 200').all(),
    },
    {
      name: 'integrity, last 30 days (hall)',
      path: '/api/integrity',
      token: 'manager',
      raw: (db) =>
        db
          .prepare(
            `SELECT window_id, staff_id, count(*), sum(case when flags <> '[]' then 1 else 0 end) FROM assessments
             WHERE china_date >= ? AND china_date <= ? AND flags IS NOT NULL GROUP BY window_id, staff_id`,
          )
          .all(monthAgo, today),
    },
    {
      name: 'integrity, last 30 days (department head)',
      path: '/api/integrity',
      token: 'head',
      raw: (db) =>
        db
          .prepare(
            `SELECT window_id, staff_id, count(*), sum(case when flags <> '[]' then 1 else 0 end) FROM assessments
             WHERE china_date >= ? AND china_date <= ? AND flags IS NOT NULL AND department_id = ? GROUP BY window_id, staff_id`,
          )
          .all(monthAgo, today, headDepartment),
    },
    { name: 'audit log, latest page', path: '/api/audit', token: 'auditor', raw: (db) => db.prepare('SELECT * FROM audit_log ORDER BY id LIMIT 100').all() },
  ];
}

async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function livePageTimes(url: string, token: string, runs: number): Promise<number[] | string> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) return 'the console is not built (npm run build:console): live page not measured';
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const out: number[] = [];
    for (let i = 0; i <= runs; i++) {
      // A fresh context each time: no cached assets, like a manager opening the console in the morning.
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      await context.addCookies([{ name: 'hcp_session', value: token, url }]);
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(`${url}/#/live`);
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="live-total"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
      const took = performance.now() - t;
      if (i > 0) out.push(took); // the first run warms the gateway's HTTP path, not the browser
      await context.close();
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-bench-console-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  try {
    const store = openSqliteStore({ file: join(dataDir, 'gateway.db') });
    await migrateStore(store, allMigrations(GATEWAY_FEATURES));
    const t0 = performance.now();
    const hall = seedHallYear(store.sqlite!, { ratings: RATINGS, windows: WINDOWS });
    console.log(
      `seeded ${hall.ratings.toLocaleString('en')} ratings, ${WINDOWS} windows, ${hall.departments} departments, ${hall.days} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await store.close();

    const now = Date.parse(`${hall.today}T15:00:00+08:00`);
    const config = parseGatewayConfig({ dataDir, http: { port: 0 }, mqtt: { port: 0 }, hall: { hallName: '基准大厅' } }, GATEWAY_FEATURES, dir);
    const gw = new Gateway(config, pino({ level: 'silent' }), { features: GATEWAY_FEATURES, clock: { now: () => now } });
    await gw.start();
    try {
      await gw.auth.createUser('bench-manager', 'bench-password-1', 'manager');
      await gw.auth.createUser('bench-head', 'bench-password-2', 'dept-head', { departmentId: hall.headDepartment });
      await gw.auth.createUser('bench-auditor', 'bench-password-3', 'auditor');
      const tokens = {
        manager: await login(gw.httpUrl, 'bench-manager', 'bench-password-1'),
        head: await login(gw.httpUrl, 'bench-head', 'bench-password-2'),
        auditor: await login(gw.httpUrl, 'bench-auditor', 'bench-password-3'),
      };
      const raw = new Database(join(dataDir, 'gateway.db'), { readonly: true });

      console.log(`\nconsole queries, ${RUNS} runs each (API = HTTP + session + scope + JSON; raw = the same question straight to SQLite)`);
      console.log(
        'query'.padEnd(42),
        'API p50'.padStart(10),
        'API p95'.padStart(10),
        'raw p50'.padStart(10),
        'raw p95'.padStart(10),
        'p95 ratio'.padStart(10),
        ' target p95 ≤ 200 ms',
      );
      for (const p of probes(hall)) {
        const api = await timeIt(RUNS, async () => {
          const res = await fetch(`${gw.httpUrl}${p.path}`, { headers: { authorization: `Bearer ${tokens[p.token]}` } });
          if (res.status !== 200) throw new Error(`${p.path}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        });
        const direct = await timeIt(RUNS, () => p.raw(raw));
        const a95 = pct(api, 95);
        const r95 = pct(direct, 95);
        console.log(
          p.name.padEnd(42),
          ms(pct(api, 50)).padStart(10),
          ms(a95).padStart(10),
          ms(pct(direct, 50)).padStart(10),
          ms(r95).padStart(10),
          `${(a95 / r95).toFixed(1)}×`.padStart(10),
          a95 <= 200 ? ' met' : ' MISSED',
        );
      }
      raw.close();

      const page = await livePageTimes(gw.httpUrl, tokens.manager, 5);
      if (typeof page === 'string') console.log(`\n${page}`);
      else
        console.log(
          `\nlive page (Chromium, fresh profile, until today's total shows): median ${ms(pct(page, 50))}, worst ${ms(Math.max(...page))} of ${page.length}; target ≤ 1000 ms: ${Math.max(...page) <= 1000 ? 'met' : 'MISSED'}`,
        );
    } finally {
      await gw.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
