/**
 * A site broker's password file, rewritten from the store after each enrolment and retirement, and
 * at start: every device's hash read, the file written, then the broker told to reload it. A rewrite
 * is a read and a later write, so two of them that overlap could leave the older read as the file,
 * and an enrolled device that cannot log in until the next enrolment. Two rules keep the file what
 * the store says:
 * - In one worker, rewrites run one at a time. A request made while one runs gets one more run after
 *   it, shared by every request made meanwhile: however many enrolments come in while a rewrite
 *   runs, they cost one more, not one each (every rewrite writes every device's line).
 * - Across workers on one PostgreSQL, a rewrite reads and writes holding the file's turn (an
 *   EXCLUSIVE lock on an empty table, as log-order.ts's logs have), READ COMMITTED, so its read
 *   comes after the lock: the last file written is the last read, which sees every enrolment
 *   committed before that rewrite began. On SQLite (one process) the write turn is that lock.
 * The reload runs after the turn: a reload reads whatever file is there, always a whole one (rename).
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { GatewayStore, Tx } from '../store/database.js';
import { BROKER_FILE_TURNSTILE } from '../store/core-schema.js';

export type DeviceHash = { deviceId: string; hash: string };

export interface BrokerPasswordFileOptions {
  store: GatewayStore;
  /** Every device that may log in, read in the transaction that holds the turn. */
  read: (trx: Tx) => Promise<DeviceHash[]>;
  /** Write the files (synchronously: the turn is held until they are renamed into place). */
  write: (devices: DeviceHash[]) => void;
  reload: () => Promise<void>;
  logger: Logger;
}

export class BrokerPasswordFile {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly o: BrokerPasswordFileOptions) {}

  /** Rewrite the file from what the store holds now; resolves when a rewrite begun after this call is done. */
  rewrite(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return this.start();
    // Whatever the running one's outcome, the next one reads again.
    const next = this.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = null;
        return this.start();
      });
    this.next = next;
    return next;
  }

  /** Like `rewrite`, for callers that do not wait: a failure is logged (the next rewrite tries again). */
  requestRewrite(why: string): void {
    this.rewrite().catch((err: unknown) => this.o.logger.error({ err, why }, 'broker password file not rewritten'));
  }

  /** Resolves when no rewrite is running or waiting (the gateway's stop). */
  async idle(): Promise<void> {
    while (this.running || this.next) await (this.next ?? this.running)!.catch(() => undefined);
  }

  private start(): Promise<void> {
    const run = this.once().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async once(): Promise<void> {
    const { store } = this.o;
    await store.write(
      async (trx) => {
        if (store.dialect === 'postgres') await sql.raw(`LOCK TABLE ${BROKER_FILE_TURNSTILE} IN EXCLUSIVE MODE`).execute(trx);
        this.o.write(await this.o.read(trx));
      },
      { isolation: 'read committed' },
    );
    await this.o.reload();
  }
}
