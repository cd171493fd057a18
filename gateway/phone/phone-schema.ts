/**
 * The phone page's own tables (docs/PHONE.md "Abuse limits"): the keys it signs with, the form
 * tokens already used, and the per-address budgets kept only as keyed hashes. All in the database,
 * so several gateway workers behind one public address share them. Merged into the store's table
 * list here, as gateway/channels/channels-schema.ts does.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const PHONE_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261201-02-phone-tokens-budgets',
    up: (db) =>
      runStatements(db, [
        // 'form' signs form tokens and the per-browser cookie; 'addr-<China date>' keys a day's address hashes.
        `CREATE TABLE phone_keys (name TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL)`,
        `CREATE TABLE phone_used_tokens (nonce TEXT PRIMARY KEY, used_at TEXT NOT NULL)`,
        `CREATE INDEX phone_used_tokens_at ON phone_used_tokens (used_at)`,
        // bucket = HMAC(day key, address | window | hour): the address itself is never stored.
        `CREATE TABLE phone_address_budget (bucket TEXT PRIMARY KEY, hour TEXT NOT NULL, ratings INTEGER NOT NULL)`,
        `CREATE INDEX phone_address_budget_hour ON phone_address_budget (hour)`,
      ]),
  },
];

export interface PhoneKeysTable {
  name: string;
  secret: string;
  created_at: string;
}

export interface PhoneUsedTokensTable {
  nonce: string;
  used_at: string;
}

export interface PhoneAddressBudgetTable {
  bucket: string;
  /** The UTC hour the budget counts (ISO, to the hour); older rows are deleted. */
  hour: string;
  ratings: number;
}

declare module '../store/tables.js' {
  interface GatewayTables {
    phone_keys: PhoneKeysTable;
    phone_used_tokens: PhoneUsedTokensTable;
    phone_address_budget: PhoneAddressBudgetTable;
  }
}
