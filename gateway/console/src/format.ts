/**
 * How the console writes times, dates and rates. The hall works in China time (UTC+8), as the
 * ledger's `china_date` does, whatever the time zone of the browser that shows it.
 */
const CHINA = 'Asia/Shanghai';
/**
 * China Standard Time is UTC+8 all year (no daylight saving since 1991), so the China date and
 * clock are arithmetic. No Intl here: a browser's first time-zone formatter costs 40–60 ms, which
 * the console's first script (first-answers.ts) and the live feed would pay before anything shows.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const chinaIso = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString();

/** Today's date in China, YYYY-MM-DD. */
export function chinaToday(now: Date = new Date()): string {
  return chinaIso(now.getTime()).slice(0, 10);
}

/** A China date `days` away from `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withDate}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: CHINA,
      hour12: false,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** An ISO time in China time: "2026-05-04 14:03:09" (or only the time). */
export function formatTime(iso: string | null | undefined, locale: string, withDate = true): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (!withDate) return chinaIso(ms).slice(11, 19); // "14:03:09" in every language
  return formatter(locale, withDate).format(new Date(ms));
}

/** A rate (0–1) as a percentage with one decimal, or a dash when there is nothing to rate. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** A duration in the largest sensible unit: "850 ms", "12 s", "4 min", "3 h", "2 d". */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${Math.round(a / 1000)} s`;
  if (a < 3_600_000) return `${sign}${Math.round(a / 60_000)} min`;
  if (a < 86_400_000) return `${sign}${(a / 3_600_000).toFixed(1)} h`;
  return `${sign}${(a / 86_400_000).toFixed(1)} d`;
}
