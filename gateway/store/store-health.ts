/**
 * GET /health's answer for this process's store. A city's load balancer asks it of every worker
 * every few seconds, and anyone on the network may ask it: a probe of PostgreSQL opens a connection,
 * so one answer serves every request of the next second, and requests that come while a probe runs
 * wait for that probe rather than starting another. A change of answer is logged once, with its
 * cause, not at every request.
 */
import type { Logger } from 'pino';
import type { GatewayStore, StoreHealth } from './database.js';

/** How long one probe's answer is given again. */
export const HEALTH_FRESH_MS = 1_000;

export class StoreHealthWatch {
  private last: { at: number; health: StoreHealth } | null = null;
  private probing: Promise<StoreHealth> | null = null;
  /** What was last logged: the store was healthy when it opened. */
  private logged: StoreHealth = { ok: true };

  constructor(
    private readonly store: Pick<GatewayStore, 'health'>,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  current(): Promise<StoreHealth> {
    if (this.last && this.now() - this.last.at < HEALTH_FRESH_MS) return Promise.resolve(this.last.health);
    this.probing ??= this.store
      .health()
      .catch((err: unknown): StoreHealth => ({ ok: false, problem: `the store's health could not be asked: ${(err as Error).message}` }))
      .then((health) => {
        this.last = { at: this.now(), health };
        this.probing = null;
        this.logChange(health);
        return health;
      });
    return this.probing;
  }

  private logChange(health: StoreHealth): void {
    const same = health.ok ? this.logged.ok : !this.logged.ok && this.logged.problem === health.problem;
    if (same) return;
    this.logged = health;
    if (health.ok) this.logger.info('the store takes writes again: /health answers 200');
    else this.logger.warn({ problem: health.problem }, 'the store cannot take writes: /health answers 503, and devices keep what they cannot have acknowledged');
  }
}
