/**
 * The hall's departments as hall IT keeps them in the console (issue 11): a tree (a bureau and its
 * sections) by parent. A department head sees theirs and everything below it (http/scope.ts), so
 * the tree must stay a tree: a move under itself or under one of its own sections is refused. A
 * department is deleted only when nothing uses it. Every change is audited in its own transaction.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { RegistryError } from './registry-error.js';

export const DepartmentIdSchema = z.string().min(1).max(64);

export const DepartmentBodySchema = z.object({
  /** Absent for a new department (it gets an id `dept-xxxxxxxx`). */
  departmentId: DepartmentIdSchema.optional(),
  name: z.string().trim().min(1).max(100),
  /** The department above it; absent or null at the top. */
  parentId: DepartmentIdSchema.nullable().optional(),
});
export type DepartmentBody = z.infer<typeof DepartmentBodySchema>;

export const DepartmentSchema = z.object({ departmentId: z.string(), name: z.string(), parentId: z.string().nullable(), createdAt: z.string() });
export type Department = z.infer<typeof DepartmentSchema>;

const COLUMNS = ['department_id as departmentId', 'name', 'parent_id as parentId', 'created_at as createdAt'] as const;

/** "2 windows (01, 02)": what uses a department, for a refusal that says what to move first. */
function uses(what: string, names: string[]): string[] {
  if (names.length === 0) return [];
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
  return [`${names.length} ${what}${names.length > 1 ? 's' : ''} (${shown})`];
}

export class Departments {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** The departments in `visible` (null: all), by name. */
  async list(visible: string[] | null): Promise<Department[]> {
    if (visible !== null && visible.length === 0) return [];
    let q = this.store.db.selectFrom('departments').select(COLUMNS).orderBy('name');
    if (visible !== null) q = q.where('department_id', 'in', visible);
    return q.execute();
  }

  /**
   * Create or change a department. Answers it and the windows whose shown department name changed
   * (their devices need their config again).
   */
  async save(b: DepartmentBody, actor: Actor): Promise<{ department: Department; windowIds: string[] }> {
    const now = new Date(this.clock.now()).toISOString();
    return this.store.write(async (trx) => {
      const all = await trx.selectFrom('departments').select(COLUMNS).execute();
      const byId = new Map(all.map((d) => [d.departmentId, d]));
      const before = b.departmentId === undefined ? undefined : byId.get(b.departmentId);
      if (b.departmentId !== undefined && !before) throw new RegistryError('not-found', `departmentId: no department ${b.departmentId}`);
      const id = before?.departmentId ?? `dept-${randomBytes(4).toString('hex')}`;
      const parentId = b.parentId ?? null;
      if (parentId !== null) {
        if (!byId.has(parentId)) throw new RegistryError('not-found', `parentId: no department ${parentId}`);
        // Walk up from the new parent; meeting this department means it would sit below itself.
        const seen = new Set<string>();
        for (let at: string | null = parentId; at !== null && !seen.has(at); at = byId.get(at)?.parentId ?? null) {
          seen.add(at);
          if (at === id) {
            const where = parentId === id ? 'the department itself' : `below ${before!.name} (a department cannot sit under its own section)`;
            throw new RegistryError('invalid', `parentId: ${parentId} is ${where}`);
          }
        }
      }
      const clash = all.find((d) => d.name === b.name && d.departmentId !== id);
      if (clash) throw new RegistryError('conflict', `name: there is already a department named ${b.name} (${clash.departmentId})`);

      let windowIds: string[] = [];
      if (before) {
        await trx.updateTable('departments').set({ name: b.name, parent_id: parentId }).where('department_id', '=', id).execute();
        // Windows show their department's name (devices print it): a rename reaches them.
        if (before.name !== b.name) {
          const renamed = await trx.updateTable('windows').set({ department: b.name }).where('department_id', '=', id).returning('window_id').execute();
          windowIds = renamed.map((w) => w.window_id);
        }
      } else {
        await trx.insertInto('departments').values({ department_id: id, name: b.name, parent_id: parentId, created_at: now }).execute();
      }
      await this.audit.record(
        {
          actor: actor.username,
          action: before ? 'department-saved' : 'department-created',
          subject: id,
          detail: { name: b.name, parentId, ...(before ? { before: { name: before.name, parentId: before.parentId } } : {}) },
          remote: actor.remote,
        },
        trx,
      );
      return { department: { departmentId: id, name: b.name, parentId, createdAt: before?.createdAt ?? now }, windowIds };
    });
  }

  /** Delete a department nothing uses (no window, service item, account or department below it). */
  async remove(departmentId: string, actor: Actor): Promise<void> {
    await this.store.write(async (trx) => {
      const d = await trx.selectFrom('departments').select(['name']).where('department_id', '=', departmentId).executeTakeFirst();
      if (!d) throw new RegistryError('not-found', `no department ${departmentId}`);
      const windows = await trx.selectFrom('windows').select('number').where('department_id', '=', departmentId).orderBy('number').execute();
      const items = await trx.selectFrom('service_items').select('item_code').where('department_id', '=', departmentId).orderBy('item_code').execute();
      const accounts = await trx.selectFrom('users').select('username').where('department_id', '=', departmentId).orderBy('username').execute();
      const below = await trx.selectFrom('departments').select('name').where('parent_id', '=', departmentId).orderBy('name').execute();
      const using = [
        ...uses(
          'window',
          windows.map((w) => w.number),
        ),
        // Retired items too: they keep the department they were offered by.
        ...uses(
          'service item',
          items.map((i) => i.item_code),
        ),
        ...uses(
          'account',
          accounts.map((a) => a.username),
        ),
        ...uses(
          'department below it',
          below.map((c) => c.name),
        ),
      ];
      if (using.length) throw new RegistryError('conflict', `department ${d.name} is still used by ${using.join('; ')}: move or remove them first`);
      await trx.deleteFrom('departments').where('department_id', '=', departmentId).execute();
      await this.audit.record({ actor: actor.username, action: 'department-deleted', subject: departmentId, detail: { name: d.name }, remote: actor.remote }, trx);
    });
  }
}
