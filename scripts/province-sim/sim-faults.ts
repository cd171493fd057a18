/**
 * The faults a real provincial endpoint shows, injected on demand: 5xx, 429 with Retry-After, a
 * hang before anything is stored (`timeout`), a hang after the records are stored (`timeout-after-
 * commit`: the province has them but the answer never comes, so the resend must be answered
 * `duplicate`), slowness, a garbled answer, downtime windows, and permanent rejection of given
 * case numbers.
 */
import { z } from 'zod';

export const FAULT_MODES = ['none', '5xx', '429', 'timeout', 'timeout-after-commit', 'slow', 'malformed', 'down'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const FaultSchema = z
  .object({
    mode: z.enum(FAULT_MODES).default('none'),
    /** Apply the mode to the next `count` requests only; absent = until changed. */
    count: z.number().int().min(1).optional(),
    retryAfterSec: z.number().int().min(0).default(1),
    delayMs: z.number().int().min(0).default(2000),
    /** Ratings, corrections and amendments of these cases (projectNo) are rejected for good. Kept until set again. */
    rejectCaseNos: z.array(z.string()).optional(),
    /** Downtime windows in epoch ms (the simulator's clock): requests inside get 503. Kept until set again. */
    downtime: z.array(z.object({ from: z.number(), to: z.number() })).optional(),
  })
  .strict();
export type Fault = z.infer<typeof FaultSchema>;

export class FaultPlan {
  private fault: Fault = FaultSchema.parse({});
  private left: number | null = null;
  private rejectCaseNos = new Set<string>();
  private downtime: Array<{ from: number; to: number }> = [];

  set(f: z.input<typeof FaultSchema>): Fault {
    this.fault = FaultSchema.parse(f);
    this.left = this.fault.count ?? null;
    if (this.fault.rejectCaseNos) this.rejectCaseNos = new Set(this.fault.rejectCaseNos);
    if (this.fault.downtime) this.downtime = this.fault.downtime;
    return this.fault;
  }

  get current(): Fault {
    return this.fault;
  }

  /** The fault for the next request (consumes one of `count`). */
  take(now: number): FaultMode {
    if (this.downtime.some((w) => now >= w.from && now < w.to)) return 'down';
    if (this.fault.mode === 'none') return 'none';
    if (this.left !== null) {
      if (this.left <= 0) return 'none';
      this.left--;
    }
    return this.fault.mode;
  }

  rejects(projectNo: string): boolean {
    return this.rejectCaseNos.has(projectNo);
  }
}
