/** Console login and logout (POST /api/login, /api/logout, GET /api/me). */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RoleSchema, SESSION_COOKIE, SESSION_MS, sessionToken } from '../console-auth.js';
import { doc, errors, parse } from '../api.js';
import type { CoreServices } from './core-services.js';

const LoginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const LoginAnswer = z.object({ token: z.string().describe('for scripts (Authorization: Bearer); the console uses the HttpOnly cookie'), role: RoleSchema, expiresAt: z.string() });
const MeSchema = z.object({
  username: z.string(),
  role: RoleSchema,
  displayName: z.string().nullable(),
  departmentId: z.string().nullable().describe("a department head's department"),
  departmentName: z.string().nullable(),
  hallName: z.string(),
});

export function sessionRoutes(s: CoreServices): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/api/login',
      {
        // Per address, on top of the per-account lockout in ConsoleAuth.
        config: {
          rateLimit: {
            max: 10,
            timeWindow: 60_000,
            errorResponseBuilder: (_r, ctx) => ({
              statusCode: 429,
              error: 'too-many-logins',
              message: `too many login attempts from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
            }),
          },
        },
        schema: {
          body: doc(LoginSchema),
          response: { 200: doc(LoginAnswer), ...errors(400, 401, 423, 429) },
          description: 'Log in to the console; answers a bearer token for the other routes.',
        },
      },
      async (req, reply) => {
        const b = parse(LoginSchema, req.body, reply);
        if (!b) return;
        const r = await s.auth.login(b.username, b.password, req.ip);
        if (!r.ok) {
          if (r.why === 'locked') return reply.code(423).send({ error: 'locked', message: `too many wrong passwords: this account is locked until ${r.lockedUntil}` });
          return reply.code(401).send({ error: 'unauthorized', message: 'wrong username or password' });
        }
        // The console keeps the session in an HttpOnly cookie; scripts use the token.
        void reply.setCookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: '/', maxAge: SESSION_MS / 1000 });
        return { token: r.token, role: r.role, expiresAt: r.expiresAt };
      },
    );
    app.post(
      '/api/logout',
      { schema: { response: { 200: doc(z.object({ ok: z.literal(true) })), ...errors(401) }, description: 'End the session (bearer token or console cookie).' } },
      async (req, reply) => {
        const ended = await s.auth.logout(sessionToken(req).token, req.ip);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        if (!ended) return reply.code(401).send({ error: 'unauthorized', message: 'no such session' });
        return { ok: true };
      },
    );
    app.get(
      '/api/me',
      {
        preHandler: s.auth.require('hall-it', 'manager', 'dept-head', 'supervisor', 'auditor'),
        schema: { response: { 200: doc(MeSchema), ...errors(401) }, description: 'Who is logged in, for the console.' },
      },
      async (req) => {
        const u = req.user!;
        const row = await s.store.db
          .selectFrom('users')
          .leftJoin('departments', 'departments.department_id', 'users.department_id')
          .select(['users.display_name', 'departments.name'])
          .where('users.username', '=', u.username)
          .executeTakeFirst();
        return {
          username: u.username,
          role: u.role,
          displayName: row?.display_name ?? null,
          departmentId: u.departmentId,
          departmentName: row?.name ?? null,
          hallName: s.hallName,
        };
      },
    );
  };
}
