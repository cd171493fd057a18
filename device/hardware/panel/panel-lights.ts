/**
 * What the panel shows, derived from the runtime's events (docs/DESIGN.md: a rating is confirmed only
 * after it is committed): the pressed level's LED lights and the buzzer beeps on
 * 'rating-committed', never on the press itself; the please-rate LED blinks while armed. The whole
 * state is re-sent when a panel (re)connects, so a replugged panel shows what it should.
 */
import type { RatingLevel } from '../../contract/index.js';
import type { PanelCommand } from './panel-ipc.js';

export class PanelLights {
  private levels: RatingLevel[] = [];
  private pleaseRate: 'off' | 'blink' = 'off';
  private litTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (cmd: PanelCommand) => void,
    /** How long the rated level's LED stays lit (about the thanks screen's time). */
    private readonly litMs = 3000,
    private readonly beepMs = 120,
  ) {}

  committed(level: RatingLevel): void {
    // The rating consumed the invitation (一次一评): please-rate stops with the same write.
    this.levels = [level];
    this.pleaseRate = 'off';
    this.resend();
    this.send({ t: 'beep', ms: this.beepMs });
    this.clearLit();
    this.litTimer = setTimeout(() => {
      this.levels = [];
      this.litTimer = null;
      this.resend();
    }, this.litMs);
    this.litTimer.unref();
  }

  armed(): void {
    // A new citizen: the previous one's LED goes out.
    this.clearLit();
    this.levels = [];
    this.pleaseRate = 'blink';
    this.resend();
  }

  disarmed(): void {
    this.pleaseRate = 'off';
    this.resend();
  }

  allOff(): void {
    this.clearLit();
    this.levels = [];
    this.pleaseRate = 'off';
    this.resend();
  }

  resend(): void {
    this.send({ t: 'leds', levels: [...this.levels], pleaseRate: this.pleaseRate });
  }

  stop(): void {
    this.clearLit();
  }

  private clearLit(): void {
    if (this.litTimer) clearTimeout(this.litTimer);
    this.litTimer = null;
  }
}
