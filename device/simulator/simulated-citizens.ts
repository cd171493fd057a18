/**
 * Simulated inputs for demos and load: a staff member logs in with their badge, then invites a
 * rating, a citizen presses after a human-like pause, and after a 差评 picks reasons. Feeds the same
 * InputSink as the panel and the touch UI.
 */
import type { Logger } from 'pino';
import { reasonsForLevel, type RatingLevel } from '../contract/index.js';
import type { DeviceRuntime } from '../runtime/device-runtime.js';
import type { Feature } from '../runtime/ports.js';

export interface SimulatorOptions {
  runtime: DeviceRuntime;
  ratingsPerMinute: number;
  logger: Logger;
  random?: () => number;
}

/** How citizens rate in practice: mostly good, a few bad. */
const LEVEL_WEIGHTS: Array<[RatingLevel, number]> = [
  [5, 0.62],
  [4, 0.2],
  [3, 0.1],
  [2, 0.05],
  [1, 0.03],
];

export class SimulatedCitizens implements Feature {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly random: () => number;

  constructor(private readonly o: SimulatorOptions) {
    this.random = o.random ?? Math.random;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.schedule(200);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.step().catch((err) => this.o.logger.error({ err }, 'simulator step failed')), ms);
    this.timer.unref();
  }

  private get periodMs(): number {
    return 60_000 / this.o.ratingsPerMinute;
  }

  private async step(): Promise<void> {
    const rt = this.o.runtime;
    const view = rt.view();
    if (!view.staff) {
      const staff = rt.currentConfig().roster[0];
      if (staff?.badgeUids[0]) await rt.submit({ kind: 'badge', uid: staff.badgeUids[0], source: 'simulator' });
      return this.schedule(this.periodMs / 2);
    }
    if (view.screen === 'idle' || view.screen === 'thanks') {
      await rt.submit({ kind: 'please-rate', source: 'simulator' });
      // A citizen reads the screen for a moment before pressing.
      return this.schedule(Math.min(this.periodMs * 0.4, 400 + this.random() * 2000));
    }
    if (view.screen === 'armed') {
      const outcome = await rt.submit({ kind: 'press', level: this.pickLevel(), source: 'simulator' });
      if (outcome.accepted && outcome.ratingId && rt.view().screen === 'details') {
        const level = rt.view().lastRating!.level;
        const offered = reasonsForLevel(view.catalogueVersion, level);
        const reasons = offered
          .filter(() => this.random() < 0.3)
          .map((r) => r.code)
          .slice(0, 3);
        await rt.addDetails({ ratingId: outcome.ratingId, reasons, consent: false });
      }
    }
    this.schedule(this.periodMs * (0.6 + this.random() * 0.4));
  }

  private pickLevel(): RatingLevel {
    let r = this.random();
    for (const [level, w] of LEVEL_WEIGHTS) if ((r -= w) < 0) return level;
    return 5;
  }
}
