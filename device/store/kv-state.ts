/**
 * Small JSON state that must survive a restart (logged-in staff, open invitation, cached gateway
 * config, screen settings), validated on the way back in: a corrupt value is ignored, not trusted.
 */
import type { z } from 'zod';
import type { Db } from './database.js';

export class KvState {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  get<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    if (!row) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(row.value));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  delete(key: string): void {
    this.delStmt.run(key);
  }
}
