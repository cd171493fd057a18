/**
 * The releases feature's tables (docs/UPDATE.md): uploaded device releases, each device's offer
 * and where it stands, and one check-in challenge per device. Only this feature reads them, through
 * a typed view of the store (ReleaseTables).
 */
import type { Kysely, Transaction } from 'kysely';
import type { GatewayTables } from '../store/tables.js';
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const RELEASES_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-20-releases-offers',
    up: (db) =>
      runStatements(db, [
        `CREATE TABLE releases (
          version TEXT PRIMARY KEY, manifest TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT NOT NULL,
          sha256 TEXT NOT NULL, size INTEGER NOT NULL, uploaded_at TEXT NOT NULL, uploaded_by TEXT NOT NULL)`,
        `CREATE TABLE release_offers (
          device_id TEXT NOT NULL, version TEXT NOT NULL REFERENCES releases (version),
          role TEXT NOT NULL CHECK (role IN ('canary', 'rest', 'direct')),
          state TEXT NOT NULL CHECK (state IN ('held', 'offered', 'downloading', 'installed', 'healthy', 'rolled-back', 'refused', 'rollback-blocked', 'superseded')),
          reason TEXT, token_hash TEXT, offered_by TEXT NOT NULL, created_at TEXT NOT NULL, state_at TEXT NOT NULL,
          PRIMARY KEY (device_id, version))`,
        `CREATE INDEX release_offers_version ON release_offers (version, state)`,
        `CREATE TABLE release_challenges (device_id TEXT PRIMARY KEY, challenge TEXT NOT NULL, expires_at TEXT NOT NULL)`,
      ]),
  },
];

export type OfferState = 'held' | 'offered' | 'downloading' | 'installed' | 'healthy' | 'rolled-back' | 'refused' | 'rollback-blocked' | 'superseded';
/** States in which the device still has work to do with the offer (it is served the file). */
export const LIVE_OFFER_STATES: OfferState[] = ['offered', 'downloading', 'installed'];

export interface ReleaseTables extends GatewayTables {
  releases: { version: string; manifest: string; signature: string; key_id: string; sha256: string; size: number; uploaded_at: string; uploaded_by: string };
  release_offers: {
    device_id: string;
    version: string;
    role: 'canary' | 'rest' | 'direct';
    state: OfferState;
    reason: string | null;
    token_hash: string | null;
    offered_by: string;
    created_at: string;
    state_at: string;
  };
  release_challenges: { device_id: string; challenge: string; expires_at: string };
}
export type ReleaseDb = Kysely<ReleaseTables>;
export type ReleaseTx = Transaction<ReleaseTables>;
