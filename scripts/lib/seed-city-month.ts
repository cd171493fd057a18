/**
 * A month of a city's ratings written straight into a migrated gateway store, for the reports
 * benchmark (scripts/bench-reports.ts): departments, a few hundred windows, staff and service
 * items; ratings over the month's opening hours on every channel, most of them answering a case;
 * R7 defaults (some replaced by a real rating given in time), withdrawn cases; 差评 with reasons,
 * follow-ups at every stage, re-ratings and write-offs; integrity flags. The month before gets a
 * smaller share, so the period filter and the month-over-month figures have something to skip and
 * compare. Deterministic (a seeded generator): two runs compare. Bypasses ingest on purpose.
 */
import type Database from 'better-sqlite3';

export interface CityMonthOptions {
  /** Ratings in the month (system defaults included). */
  ratings: number;
  /** `YYYY-MM`. */
  month: string;
  windows?: number;
  departments?: number;
  itemsPerDepartment?: number;
  staffPerWindow?: number;
  /** Ratings in the month before, as a share of `ratings`. */
  previousShare?: number;
}

export interface SeededCityMonth {
  month: string;
  ratings: number;
  previousRatings: number;
  departments: number;
  windows: number;
  staff: number;
  items: number;
  cases: number;
  defaults: number;
  bad: number;
  followups: number;
  writeOffs: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  '市场监管局',
  '税务局',
  '人社局',
  '医保局',
  '公安局',
  '不动产登记中心',
  '公积金中心',
  '住建局',
  '民政局',
  '卫健委',
  '交通运输局',
  '自然资源局',
  '商务局',
  '教育局',
  '司法局',
];
const BAD_REASONS = [207, 208, 209, 210, 211, 212, 213, 214, 108, 109, 110, 111, 112, 113, 114, 115];
const GOOD_REASONS = [510, 511, 512, 513, 517, 406, 408, 411, 413, 307, 309, 310, 314];
const CAUSES = ['staff', 'process', 'system', 'policy'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function seedCityMonth(db: Database.Database, o: CityMonthOptions): SeededCityMonth {
  const rnd = random(20261201);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const nDept = o.departments ?? 30;
  const nWin = o.windows ?? 400;
  const perDept = o.itemsPerDepartment ?? 20;
  const staffPer = o.staffPerWindow ?? 3;
  const [y, m] = o.month.split('-').map(Number) as [number, number];
  const prev = m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
  const daysIn = (ym: string) => new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), 0)).getUTCDate();
  const created = `${prev}-01T00:00:00.000Z`;

  const departments = Array.from({ length: nDept }, (_, i) => ({
    id: `d-${pad(i + 1)}`,
    name: i < NAMES.length ? NAMES[i]! : `${NAMES[i % NAMES.length]}${Math.floor(i / NAMES.length) + 1}分中心`,
  }));
  const windows = Array.from({ length: nWin }, (_, i) => ({ id: `w-${pad(i + 1, 3)}`, number: pad(i + 1, 3), dept: departments[i % nDept]!, staff: [] as string[] }));
  const items = departments.map((d, i) => Array.from({ length: perDept }, (_, k) => ({ code: `1113${pad(i + 1)}MB${pad(k + 1, 4)}`, name: `${d.name}事项${k + 1}` })));
  db.transaction(() => {
    const dep = db.prepare('INSERT INTO departments (department_id, name, parent_id, created_at) VALUES (?, ?, NULL, ?)');
    for (const d of departments) dep.run(d.id, d.name, created);
    const win = db.prepare('INSERT INTO windows (window_id, number, department, department_id, created_at) VALUES (?, ?, ?, ?, ?)');
    for (const w of windows) win.run(w.id, w.number, w.dept.name, w.dept.id, created);
    const staff = db.prepare("INSERT INTO staff (staff_id, staff_no, name, post, title, window_id, badge_uids, photo) VALUES (?, ?, ?, '综合受理', '科员', ?, '[]', NULL)");
    let s = 0;
    for (const w of windows)
      for (let k = 0; k < staffPer; k++) {
        s++;
        w.staff.push(`s-${s}`);
        staff.run(`s-${s}`, `G${pad(s, 5)}`, `工作人员${s}`, w.id);
      }
    const item = db.prepare('INSERT INTO service_items (item_code, name, department_id, retired, created_at) VALUES (?, ?, ?, 0, ?)');
    items.forEach((list, i) => {
      for (const it of list) item.run(it.code, it.name, departments[i]!.id, created);
    });
  })();

  const insert = db.prepare(`INSERT INTO assessments (assess_id, source, channel, record_id, device_id, case_no, assess_number, level, pressed_at, china_date,
    clock_flag, window_id, window_number, department, department_id, staff_id, item_code, item_name, catalogue_version, is_default, replaces,
    superseded_by, reasons, comment, contact_record_id, details_at, flags, created_at)
    VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`);
  const log = db.prepare('INSERT INTO assessment_log (assess_id, change, at) VALUES (?, ?, ?)');
  const kase = db.prepare(`INSERT INTO cases (case_no, business_system, window_id, window_number, device_id, item_code, item_name, staff_id, state, created_at,
    deadline_date, first_assess_id, rated_at, defaulted_at, withdrawn_at, withdraw_reason, contact_enc) VALUES (?, 'ywxt', ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`);
  const followup = db.prepare(`INSERT INTO followups (followup_id, assess_id, department_id, window_id, staff_id, opened_at, state, step, handler, finding, resolution,
    due_date, due_at, rectified_at, replied_at, called_back_at, rerating_level, rerated_at, rerating_declined, root_cause, closed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'handler', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const writeOff = db.prepare("INSERT INTO write_offs (assess_id, appeal_id, kind, approved_by, approved_at, reason) VALUES (?, ?, ?, 'supervisor', ?, '经核实为误评')");
  const at = (ms: number) => new Date(ms).toISOString();

  const counts = { cases: 0, defaults: 0, bad: 0, followups: 0, writeOffs: 0 };
  const seedMonth = (ym: string, total: number, tag: string) => {
    const days = daysIn(ym);
    const CHUNK = 25_000;
    let n = 0;
    while (n < total) {
      const end = Math.min(total, n + CHUNK);
      db.transaction(() => {
        for (; n < end; n++) {
          const day = `${ym}-${pad(1 + Math.min(days - 1, Math.floor((n / total) * days)))}`;
          const w = pick(windows);
          const deptIndex = departments.indexOf(w.dept);
          const it = pick(items[deptIndex]!);
          const staffId = rnd() < 0.01 ? null : pick(w.staff);
          // 08:30–17:30 China time = 00:30–09:30 UTC.
          const pressedMs = Date.parse(`${day}T00:30:00.000Z`) + Math.floor(rnd() * 9 * 3600_000);
          const pressed = at(pressedMs);
          const id = `${tag}-${n}`;
          const hasCase = rnd() < 0.88;
          const caseNo = hasCase ? `${tag.toUpperCase()}-${pad(n, 7)}` : null;
          const deadline = day;
          if (hasCase && rnd() < 0.08) {
            // R7 default, dated 00:00 China time the day after the deadline day; some replaced by a real in-time rating.
            const defaultId = `default-${caseNo}`;
            const defaultAt = at(Date.parse(`${deadline}T00:00:00+08:00`) + 86_400_000);
            const replaced = rnd() < 0.03;
            const defaultDay = new Date(Date.parse(defaultAt) + 8 * 3600_000).toISOString().slice(0, 10);
            insert.run(
              defaultId,
              'default',
              'default',
              null,
              null,
              caseNo,
              3,
              defaultAt,
              defaultDay,
              w.id,
              w.number,
              w.dept.name,
              w.dept.id,
              staffId,
              it.code,
              it.name,
              null,
              1,
              null,
              replaced ? id : null,
              null,
              null,
              null,
              pressed,
            );
            log.run(defaultId, 'created', defaultAt);
            counts.defaults++;
            if (!replaced) {
              kase.run(caseNo, w.id, w.number, it.code, it.name, staffId, 'defaulted', pressed, deadline, defaultId, null, defaultAt, null, null);
              counts.cases++;
              continue;
            }
          }
          if (hasCase && rnd() < 0.004) {
            // Withdrawn by the business system; now and then a rating got there all the same.
            const rated = rnd() < 0.3;
            kase.run(caseNo, w.id, w.number, it.code, it.name, staffId, 'withdrawn', pressed, deadline, rated ? id : null, rated ? pressed : null, null, pressed, '业务撤回');
            counts.cases++;
            if (!rated) continue;
          } else if (hasCase) {
            kase.run(caseNo, w.id, w.number, it.code, it.name, staffId, 'rated', pressed, deadline, id, pressed, null, null, null);
            counts.cases++;
          }
          const r = rnd();
          const level = r < 0.8 ? 5 : r < 0.9 ? 4 : r < 0.95 ? 3 : r < 0.98 ? 2 : 1;
          const c = rnd();
          const channel = c < 0.55 ? 'device-touch' : c < 0.88 ? 'device-button' : c < 0.94 ? 'qr-window' : c < 0.97 ? 'qr-case' : 'paper-card';
          const device = channel.startsWith('device');
          const bad = level <= 2;
          let reasons: string | null = null;
          if (bad && rnd() < 0.9)
            reasons = JSON.stringify([
              ...new Set([pick(BAD_REASONS.filter((x) => Math.floor(x / 100) === level)), pick(BAD_REASONS.filter((x) => Math.floor(x / 100) === level))]),
            ]);
          else if (!bad && !device && rnd() < 0.3) reasons = JSON.stringify([pick(GOOD_REASONS.filter((x) => Math.floor(x / 100) === level).concat([517]))]);
          const f = rnd();
          const flags = device ? (f < 0.02 ? '["fast-press"]' : f < 0.025 ? '["burst"]' : f < 0.03 ? '["fast-press","burst"]' : f < 0.035 ? '["no-staff"]' : '[]') : null;
          insert.run(
            id,
            device ? 'device' : 'channel',
            channel,
            device ? id : null,
            device ? `dev-${w.id}` : null,
            caseNo,
            level,
            pressed,
            day,
            w.id,
            w.number,
            w.dept.name,
            w.dept.id,
            staffId,
            it.code,
            it.name,
            '2020.1',
            0,
            null,
            null,
            reasons,
            reasons ? pressed : null,
            flags,
            pressed,
          );
          log.run(id, 'created', pressed);
          if (reasons) log.run(id, 'details', pressed);
          if (!bad) continue;
          counts.bad++;
          if (rnd() < 0.92) {
            counts.followups++;
            const dueAt = at(pressedMs + 7 * 86_400_000);
            const replied = rnd() < 0.85 ? at(pressedMs + Math.floor(rnd() * 10 * 86_400_000)) : null;
            const rectified = replied && rnd() < 0.9 ? at(pressedMs + 2 * 86_400_000) : null;
            const calledBack = rectified && rnd() < 0.85 ? at(Date.parse(replied!) + 86_400_000) : null;
            const rerate = calledBack ? rnd() : 1;
            const rerating = rerate < 0.6 ? (rnd() < 0.75 ? 4 : 2) : null;
            const declined = rerate >= 0.6 && rerate < 0.75 ? 1 : 0;
            const closed = calledBack && rnd() < 0.8 ? calledBack : null;
            followup.run(
              `f-${id}`,
              id,
              w.dept.id,
              w.id,
              staffId,
              pressed,
              closed ? 'closed' : 'open',
              closed ? 'closed' : calledBack ? 'called-back' : replied ? 'replied' : 'verifying',
              rnd() < 0.8 ? 'true' : 'untrue',
              rectified ? 'deadline' : null,
              dueAt.slice(0, 10),
              dueAt,
              rectified,
              replied,
              calledBack,
              rerating,
              rerating ? calledBack : null,
              declined,
              rectified ? pick(CAUSES) : null,
              closed,
            );
          }
          if (rnd() < 0.02) {
            counts.writeOffs++;
            writeOff.run(id, `ap-${id}`, rnd() < 0.5 ? 'mistaken' : 'malicious', at(pressedMs + 5 * 86_400_000));
          }
        }
      })();
    }
  };
  const previousRatings = Math.round(o.ratings * (o.previousShare ?? 0.2));
  seedMonth(prev, previousRatings, 'p');
  seedMonth(o.month, o.ratings, 'm');
  db.exec('ANALYZE');
  return {
    month: o.month,
    ratings: o.ratings,
    previousRatings,
    departments: nDept,
    windows: nWin,
    staff: nWin * staffPer,
    items: nDept * perDept,
    ...counts,
  };
}
