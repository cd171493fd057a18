/**
 * Console accounts and sessions (issue 10, hole 6). Sessions live in the database — a restart or
 * another worker keeps everyone logged in — keyed by the sha256 of a random bearer token (a copy
 * of the database logs nobody in). Logout ends a session. Repeated failed logins lock the account
 * for a while (on top of the per-address rate limit on the login route), and every login, refusal
 * and logout is in the audit log.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { hashSecret, randomSecret, verifySecretAsync } from '../store/secrets.js';

/** hall-it: registry, devices, security · manager: the whole hall · dept-head: one department · supervisor: read only · auditor: the audit log. */
export const ROLES = ['hall-it', 'manager', 'dept-head', 'supervisor', 'auditor'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export interface SessionUser {
  username: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ConsoleAuth.require() for the routes it guards. */
    user?: SessionUser;
  }
}

export const SESSION_MS = 12 * 3600_000;
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export type LoginResult = { ok: true; token: string; role: Role; expiresAt: string } | { ok: false; why: 'wrong' | 'locked'; lockedUntil?: string };

export class ConsoleAuth {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  private iso(ms = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  async createUser(username: string, password: string, role: Role): Promise<void> {
    if (password.length < 10) throw new Error('password must be at least 10 characters');
    await this.store.db
      .insertInto('users')
      .values({ username, password_hash: hashSecret(password), role, created_at: this.iso(), locked_until: null })
      .onConflict((oc) => oc.column('username').doUpdateSet({ password_hash: hashSecret(password), role, failed_logins: 0, locked_until: null }))
      .execute();
  }

  async login(username: string, password: string, remote: string | null): Promise<LoginResult> {
    const now = this.clock.now();
    const row = await this.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (row?.locked_until && Date.parse(row.locked_until) > now) {
      await this.audit.record({ actor: username, action: 'login-refused', detail: { why: 'locked' }, remote });
      return { ok: false, why: 'locked', lockedUntil: row.locked_until };
    }
    const ok = row ? await verifySecretAsync(password, row.password_hash) : false;
    if (!row || !ok) {
      if (row) {
        const failures = row.failed_logins + 1;
        const lockedUntil = failures >= LOCK_AFTER_FAILURES ? this.iso(now + LOCK_MS) : null;
        await this.store.db
          .updateTable('users')
          .set({ failed_logins: lockedUntil ? 0 : failures, locked_until: lockedUntil })
          .where('username', '=', username)
          .execute();
        await this.audit.record({ actor: username, action: 'login-refused', detail: { why: 'wrong-password', ...(lockedUntil ? { lockedUntil } : {}) }, remote });
        if (lockedUntil) return { ok: false, why: 'locked', lockedUntil };
      } else {
        await this.audit.record({ actor: username, action: 'login-refused', detail: { why: 'unknown-user' }, remote });
      }
      return { ok: false, why: 'wrong' };
    }
    const token = randomSecret(32);
    const expiresAt = this.iso(now + SESSION_MS);
    const role = RoleSchema.parse(row.role);
    await this.store.write(async (trx) => {
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('username', '=', username).execute();
      await trx
        .insertInto('sessions')
        .values({ token_hash: tokenHash(token), username, role, created_at: this.iso(now), expires_at: expiresAt, last_seen_at: this.iso(now), ended_at: null })
        .execute();
      await this.audit.record({ actor: username, action: 'login', remote }, trx);
    });
    return { ok: true, token, role, expiresAt };
  }

  async logout(token: string, remote: string | null): Promise<boolean> {
    const s = await this.session(token);
    if (!s) return false;
    await this.store.write(async (trx) => {
      await trx.updateTable('sessions').set({ ended_at: this.iso() }).where('token_hash', '=', tokenHash(token)).execute();
      await this.audit.record({ actor: s.username, action: 'logout', remote }, trx);
    });
    return true;
  }

  /** The live session of a token, or null (unknown, expired, logged out). */
  async session(token: string): Promise<SessionUser | null> {
    if (!token) return null;
    const now = this.iso();
    const row = await this.store.db
      .selectFrom('sessions')
      .select(['username', 'role'])
      .where('token_hash', '=', tokenHash(token))
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? { username: row.username, role: RoleSchema.parse(row.role) } : null;
  }

  /** A fastify preHandler allowing the given roles; sets `req.user`. */
  require(...roles: Role[]) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const user = await this.session(bearer(req));
      if (!user) return reply.code(401).send({ error: 'unauthorized', message: 'log in first (POST /api/login)' });
      if (!roles.includes(user.role)) return reply.code(403).send({ error: 'forbidden', message: `this needs the role ${roles.join(' or ')}` });
      req.user = user;
    };
  }
}

export function bearer(req: FastifyRequest): string {
  return req.headers.authorization?.replace(/^Bearer /, '') ?? '';
}
