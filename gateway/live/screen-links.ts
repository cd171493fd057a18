/**
 * Links for the lobby's big screen (大屏): an unattended display shows the hall's live figures —
 * counts, rates, the five levels, per window and department, nothing personal — without a console
 * login that would expire. Hall IT or a manager makes a link; its key is shown once and stored only
 * as a hash; it opens that one aggregate view and nothing else, until it is revoked.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { runStatements, type GatewayMigration } from '../store/migrations.js';
import { randomSecret } from '../store/secrets.js';

export const SCREEN_LINK_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-08-core-screen-links',
    up: (db) =>
      runStatements(db, [
        `CREATE TABLE screen_links (
          link_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL, created_by TEXT NOT NULL,
          created_at TEXT NOT NULL, revoked_at TEXT)`,
      ]),
  },
];

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

export interface ScreenLinkView {
  linkId: string;
  label: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export class ScreenLinks {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
  ) {}

  async create(label: string, by: string): Promise<{ linkId: string; key: string }> {
    const key = randomSecret(24);
    const linkId = hash(key).slice(0, 12);
    await this.store.db
      .insertInto('screen_links')
      .values({ link_id: linkId, key_hash: hash(key), label, created_by: by, created_at: new Date(this.clock.now()).toISOString(), revoked_at: null })
      .execute();
    return { linkId, key };
  }

  async valid(key: string): Promise<boolean> {
    if (!key) return false;
    const r = await this.store.db.selectFrom('screen_links').select('link_id').where('key_hash', '=', hash(key)).where('revoked_at', 'is', null).executeTakeFirst();
    return !!r;
  }

  async revoke(linkId: string): Promise<boolean> {
    const r = await this.store.db
      .updateTable('screen_links')
      .set({ revoked_at: new Date(this.clock.now()).toISOString() })
      .where('link_id', '=', linkId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async list(): Promise<ScreenLinkView[]> {
    const rows = await this.store.db.selectFrom('screen_links').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({ linkId: r.link_id, label: r.label, createdBy: r.created_by, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }
}
