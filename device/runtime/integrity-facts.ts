/**
 * Facts recorded with each rating so the gateway can spot 刷好评 and pressure (R11, NATIONAL-SPEC
 * "what users complain of"): staff pressing themselves right after inviting, bursts of ratings,
 * mis-presses "compensated" by several happy presses. The device flags; it never drops.
 */
import type { IntegrityFacts } from '../contract/index.js';

/** A press this soon after the invitation is more likely the staff's own finger. */
export const FAST_PRESS_MS = 800;
/** This many ratings within a minute at one window is a burst. */
export const BURST_RATINGS_PER_MINUTE = 4;
/** This many presses while not armed before a rating is worth a look. */
export const UNARMED_PRESSES_FLAG = 3;

export class IntegrityTracker {
  private unarmedPresses = 0;
  private recentRatings: number[] = [];

  notePressWhileNotArmed(): void {
    this.unarmedPresses += 1;
  }

  /** Facts for a rating about to be committed at `now`; call `noteRated` once it is. */
  factsFor(now: number, invitedAt: number, staffLoggedIn: boolean): IntegrityFacts {
    this.recentRatings = this.recentRatings.filter((t) => now - t < 60_000);
    const msFromInvitation = Math.max(0, Math.round(now - invitedAt));
    const ratingsInLastMinute = this.recentRatings.length;
    const flags: IntegrityFacts['flags'] = [];
    if (msFromInvitation < FAST_PRESS_MS) flags.push('fast-press');
    if (ratingsInLastMinute + 1 >= BURST_RATINGS_PER_MINUTE) flags.push('burst');
    if (this.unarmedPresses >= UNARMED_PRESSES_FLAG) flags.push('unarmed-presses');
    if (!staffLoggedIn) flags.push('no-staff');
    return { msFromInvitation, staffLoggedIn, unarmedPressesBefore: this.unarmedPresses, ratingsInLastMinute, flags };
  }

  noteRated(now: number): void {
    this.recentRatings.push(now);
    this.unarmedPresses = 0;
  }
}
