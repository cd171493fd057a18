/**
 * Console accounts and sessions (issue 10, hole 6). Sessions live in the database — a restart or
 * another worker keeps everyone logged in — keyed by the sha256 of a random token (a copy of the
 * database logs nobody in). Logout ends a session. Repeated failed logins lock the account for a
 * while (on top of the per-address rate limit on the login route), and every login, refusal and
 * logout is in the audit log.
 *
 * The token travels two ways: as a bearer token (scripts, the business systems' tools) or, in the
 * console, as an HttpOnly, SameSite=Strict cookie that page scripts cannot read. A change made with
 * the cookie must also carry the `x-hcp-csrf` header: another site can make a browser send the
 * cookie, but not that header (no CORS here), so it cannot make changes in the user's name.
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
  /** A department head's department (null for the other roles). */
  departmentId: string | null;
}

export const SESSION_COOKIE = 'hcp_session';
export const CSRF_HEADER = 'x-hcp-csrf';

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

  async createUser(username: string, password: string, role: Role, o: { departmentId?: string | null; displayName?: string | null } = {}): Promise<void> {
    if (password.length < 10) throw new Error('password must be at least 10 characters');
    if (role === 'dept-head' && !o.departmentId) throw new Error('a department head needs their department');
    const hash = hashSecret(password);
    const fields = { password_hash: hash, role, department_id: role === 'dept-head' ? (o.departmentId ?? null) : null, display_name: o.displayName ?? null };
    await this.store.db
      .insertInto('users')
      .values({ username, ...fields, created_at: this.iso(), locked_until: null })
      .onConflict((oc) => oc.column('username').doUpdateSet({ ...fields, failed_logins: 0, locked_until: null, disabled: 0 }))
      .execute();
  }

  async login(username: string, password: string, remote: string | null): Promise<LoginResult> {
    const now = this.clock.now();
    const found = await this.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    // A disabled account is refused like an unknown one.
    const row = found?.disabled ? undefined : found;
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

  /** The live session of a token, or null (unknown, expired, logged out, account disabled). */
  async session(token: string): Promise<SessionUser | null> {
    if (!token) return null;
    const now = this.iso();
    const row = await this.store.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.username', 's.username')
      .select(['s.username', 'u.role', 'u.department_id', 'u.disabled'])
      .where('s.token_hash', '=', tokenHash(token))
      .where('s.ended_at', 'is', null)
      .where('s.expires_at', '>', now)
      .executeTakeFirst();
    if (!row || row.disabled) return null;
    return { username: row.username, role: RoleSchema.parse(row.role), departmentId: row.department_id };
  }

  /** End every session of an account (disabled, or its password changed). */
  async endSessions(username: string): Promise<void> {
    await this.store.db.updateTable('sessions').set({ ended_at: this.iso() }).where('username', '=', username).where('ended_at', 'is', null).execute();
  }

  /** A fastify preHandler allowing the given roles; sets `req.user`. */
  require(...roles: Role[]) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const { token, viaCookie } = sessionToken(req);
      const user = await this.session(token);
      if (!user) return reply.code(401).send({ error: 'unauthorized', message: 'log in first (POST /api/login)' });
      if (viaCookie && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== '1') {
        return reply.code(403).send({ error: 'csrf', message: `a change made with the session cookie needs the ${CSRF_HEADER}: 1 header` });
      }
      if (!roles.includes(user.role)) return reply.code(403).send({ error: 'forbidden', message: `this needs the role ${roles.join(' or ')}` });
      req.user = user;
    };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token of a request: the bearer token, else the console's cookie. */
export function sessionToken(req: FastifyRequest): { token: string; viaCookie: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7), viaCookie: false };
  const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  return { token: cookie ?? '', viaCookie: !!cookie };
}
