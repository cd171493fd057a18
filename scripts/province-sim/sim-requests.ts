/**
 * Every signed request the simulated province took, as it came (endpoint and body), kept when the
 * simulator is asked to (`keepRequests`): tests read exactly what was sent — that a record went
 * twice after a lost answer, that no rater's number was ever in a body — not what was stored.
 */
import type Database from 'better-sqlite3';

export interface KeptRequest {
  n: number;
  endpoint: string;
  body: string;
  receivedAt: string;
}

export class RequestLog {
  private readonly insert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS requests (n INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL)');
    this.insert = db.prepare('INSERT INTO requests (endpoint, body, received_at) VALUES (?, ?, ?)');
  }

  keep(endpoint: string, body: string, at: string): void {
    this.insert.run(endpoint, body, at);
  }

  all(): KeptRequest[] {
    return (
      this.db.prepare('SELECT n, endpoint, body, received_at FROM requests ORDER BY n').all() as Array<{ n: number; endpoint: string; body: string; received_at: string }>
    ).map((r) => ({ n: r.n, endpoint: r.endpoint, body: r.body, receivedAt: r.received_at }));
  }
}
