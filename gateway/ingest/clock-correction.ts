/**
 * Device times, corrected (issue 10, hole 12; docs/DESIGN.md "Time"). A device's clock may be
 * off by years (a dead RTC battery, never synced). Within one run of the device program its
 * stamps are off by one constant (they come from a monotonic clock anchored at start), so:
 *  - records stamped in the run that sends them: the offset is measured here, from the batch's
 *    `sentAt` against our receipt time (transit is milliseconds; the threshold absorbs it);
 *  - records from an earlier run: the offset the device measured against our acks in that run;
 *  - unknown (the run never reached us): the time is kept if plausible and flagged `unverified`.
 * A corrected time in the future or before the scheme existed is clamped to receipt and flagged
 * `implausible`. The original signed time is never changed; the correction is stored beside it.
 */
import type { ChainRecord, ClockRun } from '@hcp/contract';

/** Offsets below this are transit and jitter, not a wrong clock. */
export const CLOCK_TOLERANCE_MS = 2000;
const EARLIEST = Date.parse('2019-01-01T00:00:00Z');
const FUTURE_SLACK_MS = 60_000;

export type ClockFlag = 'corrected' | 'unverified' | 'implausible';

export interface CorrectedTime {
  atCorrected: string;
  offsetMs: number | null;
  flag: ClockFlag | null;
}

export interface BatchClock {
  sentAt: number | null;
  receivedAt: number;
  clocks: ClockRun[];
}

export function correctTime(r: ChainRecord, b: BatchClock): CorrectedTime {
  const at = Date.parse(r.at);
  const run = [...b.clocks].reverse().find((c) => c.fromSeq <= r.seq);
  // A device that sends no clock runs: its stamps are as good as its send time's clock.
  const current = run ? run.current : true;
  const offsetMs = current ? (b.sentAt !== null ? b.sentAt - b.receivedAt : null) : (run?.offsetMs ?? null);
  let corrected = at;
  let flag: ClockFlag | null = null;
  if (offsetMs === null) {
    if (run) flag = 'unverified';
  } else if (Math.abs(offsetMs) > CLOCK_TOLERANCE_MS) {
    corrected = at - offsetMs;
    flag = 'corrected';
  }
  if (corrected > b.receivedAt + FUTURE_SLACK_MS || corrected < EARLIEST) {
    corrected = b.receivedAt;
    flag = 'implausible';
  }
  return { atCorrected: new Date(corrected).toISOString(), offsetMs, flag };
}
