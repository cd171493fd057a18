/**
 * The hall-IT exit's PIN check with a lockout: after `maxWrong` wrong PINs in a row the exit is
 * locked for `lockMs`, and even the right PIN is refused until then, so a citizen cannot try all
 * 10 000 four-digit PINs at the window (5 tries per 15 min: over 20 days for all of them). The
 * lock lives in memory: a reboot of the device clears it, which needs hall IT's access anyway.
 */
import type { Clock } from './clock.js';
import { pinMatches } from './kiosk-config.js';

export type PinVerdict = 'accepted' | 'wrong' | 'locked';

export interface PinLockoutOptions {
  pinHash: string;
  clock: Clock;
  maxWrong?: number;
  lockMs?: number;
}

export class PinLockout {
  readonly maxWrong: number;
  readonly lockMs: number;
  private wrongInARow = 0;
  private lockedUntil = 0;

  constructor(private readonly o: PinLockoutOptions) {
    this.maxWrong = o.maxWrong ?? 5;
    this.lockMs = o.lockMs ?? 15 * 60_000;
  }

  attempt(pin: string): PinVerdict {
    if (this.o.clock.now() < this.lockedUntil) return 'locked';
    if (pinMatches(pin, this.o.pinHash)) {
      this.wrongInARow = 0;
      return 'accepted';
    }
    this.wrongInARow++;
    if (this.wrongInARow >= this.maxWrong) {
      this.wrongInARow = 0;
      this.lockedUntil = this.o.clock.now() + this.lockMs;
    }
    return 'wrong';
  }

  /** Milliseconds until the exit takes PINs again (0 when open). */
  lockRemainingMs(): number {
    return Math.max(0, this.lockedUntil - this.o.clock.now());
  }
}
