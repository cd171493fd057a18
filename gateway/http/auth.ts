/**
 * Console logins with roles. Sessions are bearer tokens held in memory (a gateway restart logs
 * everyone out, which is acceptable for a hall console); passwords are scrypt-hashed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDb } from '../store/gateway-store.js';
import { hashSecret, randomSecret, verifySecret } from '../store/secrets.js';

export type Role = 'hall-it' | 'manager';
const SESSION_MS = 12 * 3600_000;

export class ConsoleAuth {
  private readonly sessions = new Map<string, { username: string; role: Role; expires: number }>();

  constructor(private readonly db: GatewayDb) {}

  createUser(username: string, password: string, role: Role): void {
    if (password.length < 10) throw new Error('password must be at least 10 characters');
    this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role')
      .run(username, hashSecret(password), role, new Date().toISOString());
  }

  login(username: string, password: string): { token: string; role: Role } | null {
    const row = this.db.prepare('SELECT password_hash AS h, role FROM users WHERE username = ?').get(username) as { h: string; role: Role } | undefined;
    if (!row || !verifySecret(password, row.h)) return null;
    const token = randomSecret(32);
    this.sessions.set(token, { username, role: row.role, expires: Date.now() + SESSION_MS });
    return { token, role: row.role };
  }

  /** A fastify preHandler allowing the given roles. */
  require(...roles: Role[]) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      const s = this.sessions.get(token);
      if (!s || s.expires < Date.now()) return reply.code(401).send({ error: 'unauthorized', message: 'log in first (POST /api/login)' });
      if (!roles.includes(s.role)) return reply.code(403).send({ error: 'forbidden', message: `this needs the role ${roles.join(' or ')}` });
    };
  }
}
