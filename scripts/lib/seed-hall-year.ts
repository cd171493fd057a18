/**
 * A year of a big hall, written straight into a migrated gateway store for benchmarks: departments,
 * windows, staff, and ratings spread over every day's opening hours (08:30–17:30 China time) with a
 * realistic level mix (mostly 非常满意, a few per cent 差评 with reasons, some R7 defaults), each
 * with its ledger log lines. Deterministic (a seeded generator), so two runs compare. Bypasses
 * ingest on purpose: this measures the reading side.
 */
import type Database from 'better-sqlite3';

export interface SeedOptions {
  ratings: number;
  windows: number;
  /** The last day seeded (China date); the year runs up to it. */
  today?: string;
  staffPerWindow?: number;
}

export interface SeededHall {
  ratings: number;
  days: number;
  departments: number;
  today: string;
  /** The day with the most ratings. */
  busyDay: string;
  /** A department for a department head to look at. */
  headDepartment: string;
}

/** mulberry32: small, fast, and the same sequence every run. */
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

const DEPARTMENT_NAMES = ['市场监管局', '税务局', '人社局', '医保局', '公安局', '不动产登记中心', '公积金中心', '住建局', '民政局', '卫健委', '交通运输局', '自然资源局'];

export function seedHallYear(db: Database.Database, o: SeedOptions): SeededHall {
  const rnd = random(20261130);
  const today = o.today ?? '2026-11-30';
  const days = 365;
  const dayList = Array.from({ length: days }, (_, i) => new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  const created = `${dayList[0]}T00:00:00.000Z`;
  const staffPerWindow = o.staffPerWindow ?? 3;

  const departments = DEPARTMENT_NAMES.map((name, i) => ({ id: `d-${String(i + 1).padStart(2, '0')}`, name }));
  const windows = Array.from({ length: o.windows }, (_, i) => {
    const d = departments[i % departments.length]!;
    return { id: `w-${String(i + 1).padStart(3, '0')}`, number: String(i + 1).padStart(3, '0'), department: d };
  });
  db.transaction(() => {
    const dep = db.prepare('INSERT INTO departments (department_id, name, parent_id, created_at) VALUES (?, ?, NULL, ?)');
    for (const d of departments) dep.run(d.id, d.name, created);
    const win = db.prepare('INSERT INTO windows (window_id, number, department, department_id, created_at) VALUES (?, ?, ?, ?, ?)');
    for (const w of windows) win.run(w.id, w.number, w.department.name, w.department.id, created);
    const staff = db.prepare("INSERT INTO staff (staff_id, staff_no, name, post, title, window_id, badge_uids, photo) VALUES (?, ?, ?, '综合受理', '科员', ?, '[]', NULL)");
    for (const [i, w] of windows.entries())
      for (let k = 0; k < staffPerWindow; k++) staff.run(`s-${i * staffPerWindow + k + 1}`, `G${i * staffPerWindow + k + 1}`, `工作人员${i * staffPerWindow + k + 1}`, w.id);
  })();

  const insert = db.prepare(`INSERT INTO assessments (assess_id, source, channel, record_id, device_id, case_no, assess_number, level, pressed_at, china_date,
    clock_flag, window_id, window_number, department, department_id, staff_id, item_code, item_name, catalogue_version, is_default, replaces,
    superseded_by, reasons, comment, contact_record_id, details_at, flags, created_at)
    VALUES (?, ?, ?, ?, ?, NULL, 1, ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL, '2020.1', ?, NULL, NULL, ?, NULL, NULL, ?, ?, ?)`);
  // Device ratings carry the device's integrity flags (R11): most none, a few a reason to look.
  const FLAG_SETS = ['[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '["fast-press"]', '["burst"]'];
  const log = db.prepare('INSERT INTO assessment_log (assess_id, change, at) VALUES (?, ?, ?)');
  const perDay = new Map<string, number>();
  const CHUNK = 20_000;
  let n = 0;
  while (n < o.ratings) {
    const end = Math.min(o.ratings, n + CHUNK);
    // Time order, like the real ledger: rating n falls on day floor(n / ratings * days).
    db.transaction(() => {
      for (; n < end; n++) {
        const day = dayList[Math.min(days - 1, Math.floor((n / o.ratings) * days))]!;
        const w = windows[Math.floor(rnd() * windows.length)]!;
        const r = rnd();
        const level = r < 0.8 ? 5 : r < 0.9 ? 4 : r < 0.95 ? 3 : r < 0.98 ? 2 : 1;
        const isDefault = level === 4 && rnd() < 0.3 ? 1 : 0;
        // 08:30–17:30 China time = 00:30–09:30 UTC.
        const secs = 1800 + Math.floor(rnd() * 9 * 3600);
        const pressed = `${day}T${String(Math.floor(secs / 3600)).padStart(2, '0')}:${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}.000Z`;
        const id = `bench-${n}`;
        const bad = level <= 2;
        insert.run(
          id,
          isDefault ? 'system' : 'device',
          isDefault ? 'system-default' : 'device-button',
          isDefault ? null : id,
          isDefault ? null : `dev-${w.id}`,
          level,
          pressed,
          day,
          w.id,
          w.number,
          w.department.name,
          w.department.id,
          `s-${windows.indexOf(w) * staffPerWindow + 1}`,
          isDefault,
          bad ? JSON.stringify([101 + Math.floor(rnd() * 5)]) : null,
          bad ? pressed : null,
          isDefault ? null : FLAG_SETS[Math.floor(rnd() * FLAG_SETS.length)]!,
          pressed,
        );
        log.run(id, 'created', pressed);
        if (bad) log.run(id, 'details', pressed);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
    })();
  }
  const busyDay = [...perDay.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  db.pragma('optimize');
  return { ratings: o.ratings, days, departments: departments.length, today, busyDay, headDepartment: departments[1]!.id };
}
