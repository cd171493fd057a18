/**
 * hcp-panel numbers each BUTTON_EVENT (seq 0..127, wrapping), so the host can tell when events were
 * lost on the line (a bad cable or hub; a message with a bad CRC is dropped too) and say so, rather
 * than let a press vanish without a trace (issue 10). Pure bookkeeping over decoded events.
 */
import type { ButtonEdge } from './panel-sysex.js';

/** BUTTON_EVENTs that never arrived, as the next one that did shows it. */
export interface ButtonEventLoss {
  /** How many events are missing from the sequence just before this one. */
  missed: number;
  /**
   * This event is a release whose press was among them: a press the device never saw. (The missing
   * events may hold whole presses of other buttons too; `missed` says how many events that may be.)
   */
  pressLost: boolean;
}

export class ButtonEventSequence {
  private lastSeq: number | null = null;
  private readonly down = new Set<number>();

  /** Note one event, in arrival order; what was lost just before it, or null. */
  take(e: ButtonEdge): ButtonEventLoss | null {
    // The first event on a link starts the count.
    const missed = this.lastSeq === null ? 0 : (e.seq - this.lastSeq - 1) & 0x7f;
    this.lastSeq = e.seq;
    // The board's edges alternate per button, so a release without its press here means that press
    // was lost, if events were; with none missing, the button was down when the link came up.
    const unpaired = e.level === 1 && !this.down.has(e.pin);
    if (e.level === 0) this.down.add(e.pin);
    else this.down.delete(e.pin);
    return missed > 0 ? { missed, pressLost: unpaired } : null;
  }

  /** The board restarted (it says so at start): its numbers begin again, and nothing it sensed before counts. */
  restart(): void {
    this.lastSeq = null;
    this.down.clear();
  }
}
