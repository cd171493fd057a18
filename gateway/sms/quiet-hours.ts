/**
 * Quiet hours in China time (UTC+8 all year, no daylight saving): when an SMS may go out.
 * docs/SMS.md "Quiet hours".
 */
const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface QuietHours {
  start: string;
  end: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Minutes since midnight, China time. */
export function chinaMinuteOfDay(t: number): number {
  return Math.floor(((t + CHINA_OFFSET_MS) % DAY_MS) / 60_000);
}

/** True when `t` falls in the quiet window (start inclusive, end exclusive). */
export function isQuiet(t: number, q: QuietHours | null): boolean {
  if (!q) return false;
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  const m = chinaMinuteOfDay(t);
  if (s === e) return false;
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** The first moment at or after `t` outside the quiet window. */
export function nextSendableAt(t: number, q: QuietHours | null): number {
  if (!q || !isQuiet(t, q)) return t;
  const e = minutesOf(q.end);
  const chinaMidnight = t - ((t + CHINA_OFFSET_MS) % DAY_MS);
  let end = chinaMidnight + e * 60_000;
  if (end <= t) end += DAY_MS;
  return end;
}

/** yyyyMMdd of `t` in China time (Aliyun's SendDate). */
export function chinaDate(t: number): string {
  return new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}
