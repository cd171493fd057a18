/**
 * What the reports call things: departments, windows, staff and service items by the registry's
 * names (as they are when the report is made), channels and dimensions by their printed names.
 * Only the rated side is named — staff, windows, departments — never a rater.
 */
import { sql } from 'kysely';
import { DIMENSION_INFO, type ReasonDimension } from '@hcp/contract';
import type { Db } from '../store/database.js';
import type { DimensionKey } from './measure-queries.js';

export const NO_DEPARTMENT = '（未登记部门）';
export const NO_WINDOW = '（无窗口）';
export const NO_STAFF = '（无人登录）';
export const NO_ITEM = '（无事项）';

/** How each channel of the ledger (gateway/uplink/items.ts CHANNELS) is printed. */
export const CHANNEL_NAMES: Record<string, string> = {
  'device-touch': '评价器（触摸屏）',
  'device-button': '评价器（按键）',
  'paper-card': '评议卡',
  default: '系统默认评价',
  'qr-window': '窗口二维码',
  'qr-case': '办件二维码',
  sms: '短信',
  web: '网站',
};
export const CHANNEL_ORDER = Object.keys(CHANNEL_NAMES);

export function dimensionName(d: DimensionKey): string {
  if (d === 'none') return '差评未选原因';
  if (d === 'unclassified') return '未归类原因';
  return DIMENSION_INFO[d as ReasonDimension].zh;
}

export interface Names {
  department(id: string | null): string;
  window(id: string | null): string;
  staff(id: string | null): { staffNo: string | null; name: string };
  item(code: string | null): string;
  /** The department a window belongs to now (the integrity section has no department of its own). */
  windowDepartment(id: string | null): string | null;
}

/** The registry's names, with the ledger's own item names for codes the registry lacks. */
export async function loadNames(db: Db, range: { from: string; to: string }, itemCodes: Iterable<string | null>): Promise<Names> {
  const departments = new Map((await db.selectFrom('departments').select(['department_id', 'name']).execute()).map((d) => [d.department_id, d.name]));
  const windowRows = await db.selectFrom('windows').select(['window_id', 'number', 'department_id']).execute();
  const windows = new Map(windowRows.map((w) => [w.window_id, w.number]));
  const windowDepartments = new Map(windowRows.map((w) => [w.window_id, w.department_id]));
  const staff = new Map((await db.selectFrom('staff').select(['staff_id', 'staff_no', 'name']).execute()).map((s) => [s.staff_id, s]));
  const items = new Map((await db.selectFrom('service_items').select(['item_code', 'name']).execute()).map((i) => [i.item_code, i.name]));
  const missing = [...new Set(itemCodes)].filter((c): c is string => c !== null && !items.has(c));
  for (let i = 0; i < missing.length; i += 500) {
    const rows = await db
      .selectFrom('assessments')
      .select(['item_code', sql<string | null>`max(item_name)`.as('name')])
      .where('superseded_by', 'is', null)
      .where('china_date', '>=', range.from)
      .where('china_date', '<=', range.to)
      .where('item_code', 'in', missing.slice(i, i + 500))
      .groupBy('item_code')
      .execute();
    for (const r of rows) if (r.item_code && r.name) items.set(r.item_code, r.name);
  }
  return {
    department: (id) => (id === null ? NO_DEPARTMENT : (departments.get(id) ?? id)),
    window: (id) => (id === null ? NO_WINDOW : (windows.get(id) ?? id)),
    staff: (id) => {
      if (id === null) return { staffNo: null, name: NO_STAFF };
      const s = staff.get(id);
      return { staffNo: s?.staff_no ?? null, name: s?.name ?? id };
    },
    item: (code) => (code === null ? NO_ITEM : (items.get(code) ?? code)),
    windowDepartment: (id) => (id === null ? null : (windowDepartments.get(id) ?? null)),
  };
}
