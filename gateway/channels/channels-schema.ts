/**
 * The tables of the ratings that do not come from a window device (R8: phone by QR code, SMS,
 * paper card): the links that open a case's rating page, whatever sent them. Declared here and
 * merged into the store's table list, so this part owns its tables.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const CHANNEL_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261201-01-core-case-links',
    up: (db) =>
      runStatements(db, [
        // A link's token is shown once (in an SMS, a QR code) and stored only as a hash.
        `CREATE TABLE case_links (
          token_hash TEXT PRIMARY KEY, case_no TEXT NOT NULL REFERENCES cases (case_no), channel TEXT NOT NULL,
          created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
        `CREATE INDEX case_links_case ON case_links (case_no)`,
      ]),
  },
];

export interface CaseLinksTable {
  token_hash: string;
  case_no: string;
  /** The channel a rating given through this link is counted under (qr-case, sms). */
  channel: string;
  created_at: string;
  expires_at: string;
}

declare module '../store/tables.js' {
  interface GatewayTables {
    case_links: CaseLinksTable;
  }
}
