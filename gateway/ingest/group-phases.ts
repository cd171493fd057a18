/**
 * Where an ingest group's time goes, phase by phase, summed since the gateway started: on
 * `/metrics` (hcp_ingest_group_seconds_total, hcp_ingest_groups_total), so that a site whose acks
 * are slow can tell waiting for the batch checks from the database's round trips, the insert and
 * the commit's flush to disk (docs/POSTGRES.md, "Where a group's time goes"). Rates of the two give
 * the mean time of each phase per group.
 *
 * One group commits at a time (ingest-queue.ts drains in one loop), so one clock serves: each lap
 * charges the time since the last one to the phase that has just ended. A group that runs again
 * (a stored id found, a collision) charges its second run to the same phases.
 */

export const GROUP_PHASES = [
  /** Waiting for the group's batch checks (the checking thread) to finish. */
  'check',
  /** The store's transaction starting (PostgreSQL: a round trip for BEGIN). */
  'begin',
  /** PostgreSQL: the lock that makes the workers' groups take turns (log-order.ts). */
  'lock',
  /** Reading the group's devices' chain heads (and, on a second run, their new ids). */
  'heads',
  /** Deciding each batch against its chain: what is stored, refused, a gap. */
  'decide',
  /** Writing the moved chain heads. */
  'heads-save',
  /** Inserting the records (COPY on PostgreSQL) and any chain gaps. */
  'insert',
  /** The commit: on both stores, waiting for it to be durable. */
  'commit',
  /** Sending the acks, logging, telling what was stored. */
  'ack',
] as const;
export type GroupPhase = (typeof GROUP_PHASES)[number];

export class GroupPhases {
  /** Seconds spent in each phase, over every group. */
  readonly seconds = Object.fromEntries(GROUP_PHASES.map((p) => [p, 0])) as Record<GroupPhase, number>;
  /** Groups committed (or refused whole), each counted once whatever it ran again. */
  groups = 0;
  private at = 0;

  /** A group starts: its batches have been taken from the queue. */
  start(): void {
    this.at = performance.now();
  }

  /** `phase` has just ended. */
  lap(phase: GroupPhase): void {
    const now = performance.now();
    this.seconds[phase] += (now - this.at) / 1000;
    this.at = now;
  }

  /** The group's last phase has ended. */
  end(): void {
    this.lap('ack');
    this.groups++;
  }
}
