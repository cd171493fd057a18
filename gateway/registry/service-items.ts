/**
 * The hall's service items (事项) by their code (issue 11). Provincial codes are long
 * (`11131000MB0001`); an item belongs to a department, or to the whole hall. An item is retired,
 * never deleted: cases and the ratings ledger keep naming it. Every change is audited in its own
 * transaction.
 */
import { z } from 'zod';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { DepartmentIdSchema } from './departments.js';
import { RegistryError } from './registry-error.js';

export const ItemCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'item code must be 1-64 characters of A-Z, a-z, 0-9, - and _');

export const ItemBodySchema = z.object({
  itemCode: ItemCodeSchema,
  name: z.string().trim().min(1).max(200),
  /** The department offering it; absent or null for the whole hall. */
  departmentId: DepartmentIdSchema.nullable().optional(),
});
export type ItemBody = z.infer<typeof ItemBodySchema>;

export const ItemSchema = z.object({ itemCode: z.string(), name: z.string(), departmentId: z.string().nullable(), retired: z.boolean(), createdAt: z.string() });
export type Item = z.infer<typeof ItemSchema>;

const COLUMNS = ['item_code', 'name', 'department_id', 'retired', 'created_at'] as const;
type Row = { item_code: string; name: string; department_id: string | null; retired: number; created_at: string };
const toItem = (r: Row): Item => ({ itemCode: r.item_code, name: r.name, departmentId: r.department_id, retired: r.retired === 1, createdAt: r.created_at });

export class ServiceItems {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** The items of the departments in `visible` (null: every item, the hall's own too), by code. */
  async list(visible: string[] | null): Promise<Item[]> {
    if (visible !== null && visible.length === 0) return [];
    let q = this.store.db.selectFrom('service_items').select(COLUMNS).orderBy('item_code');
    if (visible !== null) q = q.where('department_id', 'in', visible);
    return (await q.execute()).map(toItem);
  }

  /** Create or change an item; saving a retired one offers it again. */
  async save(b: ItemBody, actor: Actor): Promise<Item> {
    const now = new Date(this.clock.now()).toISOString();
    const departmentId = b.departmentId ?? null;
    return this.store.write(async (trx) => {
      if (departmentId !== null && !(await trx.selectFrom('departments').select('department_id').where('department_id', '=', departmentId).executeTakeFirst())) {
        throw new RegistryError('not-found', `departmentId: no department ${departmentId}`);
      }
      const before = await trx.selectFrom('service_items').select(COLUMNS).where('item_code', '=', b.itemCode).executeTakeFirst();
      await trx
        .insertInto('service_items')
        .values({ item_code: b.itemCode, name: b.name, department_id: departmentId, created_at: now })
        .onConflict((oc) => oc.column('item_code').doUpdateSet({ name: b.name, department_id: departmentId, retired: 0 }))
        .execute();
      await this.audit.record(
        {
          actor: actor.username,
          action: before ? 'item-saved' : 'item-created',
          subject: b.itemCode,
          detail: {
            name: b.name,
            departmentId,
            ...(before ? { before: { name: before.name, departmentId: before.department_id } } : {}),
            ...(before?.retired ? { reinstated: true } : {}),
          },
          remote: actor.remote,
        },
        trx,
      );
      return toItem({ item_code: b.itemCode, name: b.name, department_id: departmentId, retired: 0, created_at: before?.created_at ?? now });
    });
  }

  /** No longer offered; kept for the cases and ratings that name it. Retiring twice changes nothing. */
  async retire(itemCode: string, actor: Actor): Promise<Item> {
    return this.store.write(async (trx) => {
      const row = await trx.selectFrom('service_items').select(COLUMNS).where('item_code', '=', itemCode).executeTakeFirst();
      if (!row) throw new RegistryError('not-found', `no service item ${itemCode}`);
      if (!row.retired) {
        await trx.updateTable('service_items').set({ retired: 1 }).where('item_code', '=', itemCode).execute();
        await this.audit.record({ actor: actor.username, action: 'item-retired', subject: itemCode, detail: { name: row.name }, remote: actor.remote }, trx);
      }
      return toItem({ ...row, retired: 1 });
    });
  }
}
