/**
 * The uplink as one feature for the gateway's composition root: enqueue from `records` (on
 * `notify()` after ingest and on a timer for held ratings) and send to the province.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ProvinceAdapter } from './adapter.js';
import { DeadLetters } from './dead-letters.js';
import { UplinkEnqueuer } from './enqueue.js';
import type { UplinkProfile } from './national-mapping.js';
import { migrateUplink } from './outbox-schema.js';
import { UplinkSender, type SenderOptions } from './sender.js';

export interface UplinkFeatureOptions {
  db: Database.Database;
  adapter: ProvinceAdapter;
  profile: UplinkProfile;
  logger: Logger;
  sender?: SenderOptions;
  holdMs?: number;
  /** How often to release held ratings and catch records stored without notify(). */
  pumpEveryMs?: number;
  now?: () => number;
}

export class UplinkFeature {
  readonly deadLetters: DeadLetters;
  readonly enqueuer: UplinkEnqueuer;
  readonly sender: UplinkSender;
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly o: UplinkFeatureOptions) {
    migrateUplink(o.db);
    this.log = o.logger.child({ ns: 'uplink' });
    this.deadLetters = new DeadLetters(o.db);
    this.enqueuer = new UplinkEnqueuer(o.db, { profile: o.profile, holdMs: o.holdMs, now: o.now });
    this.sender = new UplinkSender(o.db, o.adapter, this.log, { now: o.now, ...o.sender });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.pump();
    this.sender.start();
    this.timer = setInterval(() => this.pump(), this.o.pumpEveryMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sender.stop();
  }

  /** Call after records are stored (gateway `onStored`). */
  notify(): void {
    this.pump();
  }

  /**
   * Enqueue in chunks, yielding between them, so a large backlog (a village point back after
   * weeks) is sent while it is still being enqueued and the event loop stays responsive.
   */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    const step = () => {
      if (this.stopped) {
        this.pumping = false;
        return;
      }
      try {
        const n = this.enqueuer.pump();
        this.sender.poke();
        if (n > 0 || this.again) {
          this.again = false;
          setImmediate(step);
          return;
        }
      } catch (err) {
        this.log.error({ err }, 'uplink enqueue failed; will retry');
      }
      this.pumping = false;
    };
    step();
  }
}
