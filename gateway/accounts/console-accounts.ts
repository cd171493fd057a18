/**
 * Console accounts as hall IT manages them (issue 11): list, create or change (role, department,
 * display name, password), disable and enable. Logins, sessions and lockouts are ConsoleAuth's
 * (http/console-auth.ts); this is the registry of who may log in at all.
 *
 * The hall must never lock itself out: the last enabled hall IT account can be neither disabled
 * nor given another role, and nobody disables or re-roles their own account (another hall IT
 * account can). The checks and the change run in one write transaction (BEGIN IMMEDIATE on SQLite),
 * so two hall IT accounts disabling each other at once cannot both succeed.
 */
import { z } from 'zod';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../feature.js';
import { RoleSchema, type ConsoleAuth } from '../http/console-auth.js';
import { DepartmentIdSchema } from '../registry/departments.js';
import { RegistryError } from '../registry/registry-error.js';
import type { Tx, GatewayStore } from '../store/database.js';
import { hashSecret } from '../store/secrets.js';

/** Usernames travel in paths (/api/accounts/{username}/disable): no spaces, no slashes. */
export const UsernameSchema = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'username must be 1-64 characters of letters, digits, . _ @ and -');
export const PasswordSchema = z.string().min(10, 'password must be at least 10 characters').max(200);

export const AccountBodySchema = z
  .object({
    username: UsernameSchema,
    role: RoleSchema,
    /** A department head's department (they see it and the departments below it); no other role has one. */
    departmentId: DepartmentIdSchema.nullable().optional(),
    displayName: z.string().trim().min(1).max(60).nullable().optional(),
    /** Required for a new account; a new one ends every session of the account. */
    password: PasswordSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.role === 'dept-head' && !b.departmentId) ctx.addIssue({ code: 'custom', path: ['departmentId'], message: 'a department head needs their department' });
    if (b.role !== 'dept-head' && b.departmentId) ctx.addIssue({ code: 'custom', path: ['departmentId'], message: 'only a department head has a department' });
  });
export type AccountBody = z.infer<typeof AccountBodySchema>;

/** What the console shows of an account: never its password hash. */
export const AccountSchema = z.object({
  username: z.string(),
  role: RoleSchema,
  departmentId: z.string().nullable(),
  displayName: z.string().nullable(),
  disabled: z.boolean(),
  /** Set while too many wrong passwords keep it locked (null once the lock has passed). */
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

const COLUMNS = ['username', 'role', 'department_id', 'display_name', 'disabled', 'locked_until', 'created_at'] as const;
type Row = { username: string; role: string; department_id: string | null; display_name: string | null; disabled: number; locked_until: string | null; created_at: string };

export class ConsoleAccounts {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly auth: ConsoleAuth,
  ) {}

  private toAccount(r: Row): Account {
    const locked = r.locked_until !== null && Date.parse(r.locked_until) > this.clock.now();
    return {
      username: r.username,
      role: RoleSchema.parse(r.role),
      departmentId: r.department_id,
      displayName: r.display_name,
      disabled: r.disabled === 1,
      lockedUntil: locked ? r.locked_until : null,
      createdAt: r.created_at,
    };
  }

  async list(): Promise<Account[]> {
    return (await this.store.db.selectFrom('users').select(COLUMNS).orderBy('username').execute()).map((r) => this.toAccount(r));
  }

  /** Create or change an account. A new password also lifts a lockout and ends the account's sessions. */
  async save(b: AccountBody, actor: Actor): Promise<Account> {
    const now = new Date(this.clock.now()).toISOString();
    // scrypt, tens of milliseconds: made before the write, which would hold SQLite's write turn
    // (and ingest's commits behind it) that long.
    const passwordHash = b.password !== undefined ? hashSecret(b.password) : null;
    const saved = await this.store.write(async (trx) => {
      const before = await trx.selectFrom('users').select(COLUMNS).where('username', '=', b.username).executeTakeFirst();
      if (!before && b.password === undefined) throw new RegistryError('invalid', 'password: a new account needs a password (at least 10 characters)');
      const departmentId = b.role === 'dept-head' ? (b.departmentId ?? null) : null;
      if (departmentId !== null && !(await trx.selectFrom('departments').select('department_id').where('department_id', '=', departmentId).executeTakeFirst())) {
        throw new RegistryError('not-found', `departmentId: no department ${departmentId}`);
      }
      // The last hall IT account first: it is also always the actor's own, and the more important reason.
      if (before && before.role !== b.role) {
        if (before.role === 'hall-it' && !before.disabled && (await this.enabledHallIt(trx)) <= 1) {
          throw new RegistryError('conflict', `role: ${b.username} is the last enabled hall IT account; the hall would have nobody to manage it`);
        }
        if (before.username === actor.username) throw new RegistryError('conflict', 'role: you cannot change your own role (another hall IT account can)');
      }
      const fields = {
        role: b.role,
        department_id: departmentId,
        display_name: b.displayName ?? null,
        ...(passwordHash !== null ? { password_hash: passwordHash, failed_logins: 0, locked_until: null } : {}),
      };
      if (before) await trx.updateTable('users').set(fields).where('username', '=', b.username).execute();
      else
        await trx
          .insertInto('users')
          .values({ username: b.username, password_hash: passwordHash!, ...fields, created_at: now, locked_until: null })
          .execute();
      await this.audit.record(
        {
          actor: actor.username,
          action: before ? 'account-saved' : 'account-created',
          subject: b.username,
          // Never the password: only that it was changed.
          detail: {
            role: b.role,
            departmentId,
            displayName: b.displayName ?? null,
            passwordChanged: b.password !== undefined,
            ...(before ? { before: { role: before.role, departmentId: before.department_id, displayName: before.display_name } } : {}),
          },
          remote: actor.remote,
        },
        trx,
      );
      return (await trx.selectFrom('users').select(COLUMNS).where('username', '=', b.username).executeTakeFirstOrThrow()) as Row;
    });
    // Whoever held the old password is logged out everywhere (after the commit: outside the transaction's connection).
    if (b.password !== undefined) await this.auth.endSessions(b.username);
    return this.toAccount(saved);
  }

  /** Disable (ends every session) or enable (also lifts a lockout) an account. */
  async setDisabled(username: string, disabled: boolean, actor: Actor): Promise<Account> {
    const saved = await this.store.write(async (trx) => {
      const row = await trx.selectFrom('users').select(COLUMNS).where('username', '=', username).executeTakeFirst();
      if (!row) throw new RegistryError('not-found', `no account ${username}`);
      if (disabled && !row.disabled) {
        if (row.role === 'hall-it' && (await this.enabledHallIt(trx)) <= 1) {
          throw new RegistryError('conflict', `${username} is the last enabled hall IT account; the hall would have nobody to manage it`);
        }
        if (username === actor.username) throw new RegistryError('conflict', 'you cannot disable your own account (another hall IT account can)');
      }
      const changes = disabled ? { disabled: 1 } : { disabled: 0, failed_logins: 0, locked_until: null };
      const changed = disabled ? !row.disabled : row.disabled === 1 || row.locked_until !== null;
      if (changed) {
        await trx.updateTable('users').set(changes).where('username', '=', username).execute();
        await this.audit.record({ actor: actor.username, action: disabled ? 'account-disabled' : 'account-enabled', subject: username, remote: actor.remote }, trx);
      }
      return { ...row, ...changes };
    });
    if (disabled) await this.auth.endSessions(username);
    return this.toAccount(saved);
  }

  private async enabledHallIt(trx: Tx): Promise<number> {
    const r = await trx
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'hall-it')
      .where('disabled', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
