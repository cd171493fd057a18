/**
 * `from` and `to` of a query: China dates (YYYY-MM-DD, UTC+8), both included, as the ledger's
 * `china_date`. Missing ones default to the last 30 days up to today by the gateway's clock.
 */
import { z } from 'zod';
import { chinaDate } from '../calendar/working-days.js';

/** A real calendar date, YYYY-MM-DD. */
export const ChinaDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date, YYYY-MM-DD', abort: true })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date');

export const DateRangeShape = {
  from: ChinaDateSchema.optional().describe('first China date (UTC+8) included, YYYY-MM-DD; default 29 days before `to`'),
  to: ChinaDateSchema.optional().describe('last China date included, YYYY-MM-DD; default today'),
};

const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The range asked for with its defaults, or a message naming the field that is wrong. */
export function resolveRange(q: { from?: string | undefined; to?: string | undefined }, nowMs: number, maxDays?: number): { from: string; to: string } | { error: string } {
  const to = q.to ?? chinaDate(new Date(nowMs));
  const from = q.from ?? addDays(to, -29);
  if (from > to) return { error: `from: ${from} is after to (${to})` };
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (maxDays !== undefined && days > maxDays) return { error: `from: the range is ${days} days; at most ${maxDays} at a time` };
  return { from, to };
}
