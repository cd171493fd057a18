/**
 * Tells a session fight from an ordinary reconnect (issue 10, hole 14). One login replacing a live
 * session is normal — a device whose old TCP connection died half-open reconnects before the
 * broker noticed. Two devices with the same identity replace each other again and again: that is a
 * copy of the device running somewhere. Three takeovers of one id within ten minutes is a fight.
 */
import type { Clock } from '../feature.js';

export const FIGHT_TAKEOVERS = 3;
export const FIGHT_WINDOW_MS = 10 * 60_000;

export class SessionFightWatch {
  private readonly takeovers = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Note a takeover of `deviceId`'s session; true when it amounts to a fight. */
  takeover(deviceId: string): boolean {
    const now = this.clock.now();
    const recent = (this.takeovers.get(deviceId) ?? []).filter((t) => now - t < FIGHT_WINDOW_MS);
    recent.push(now);
    this.takeovers.set(deviceId, recent);
    if (this.takeovers.size > 10_000) for (const [k, v] of this.takeovers) if (v.every((t) => now - t >= FIGHT_WINDOW_MS)) this.takeovers.delete(k);
    return recent.length >= FIGHT_TAKEOVERS;
  }
}
