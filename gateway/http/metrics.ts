/**
 * `/metrics` in the Prometheus text format (prom-client), for the hall's monitoring network: no
 * login, so nothing in it names a person — labels are device ids and alert and event kinds only.
 * The ingest counter is this process's own (each worker is scraped); every gauge, and the count of
 * security events, is read from the database at scrape time, so it is the same whichever of
 * several workers on one database answers; `hcp_store_up` is this process's own view of its store.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { sql } from 'kysely';
import type { GatewayStore, StoreHealth } from '../store/database.js';
import { GROUP_PHASES, type GroupPhases } from '../ingest/group-phases.js';

export interface MetricsOptions {
  /** Whether the uplink feature runs (its outbox gauges are left out otherwise). */
  uplink: boolean;
  /** Ingest's groups, phase by phase (ingest/group-phases.ts). */
  ingestPhases: GroupPhases;
  /** Whether the store could take a write now (store-health.ts): `hcp_store_up`. */
  health: () => Promise<StoreHealth>;
}

/**
 * A metric read from the database, when the read fails: while the store cannot be reached, /metrics
 * still answers with what this process knows (its counters, and `hcp_store_up 0`), instead of
 * failing whole and looking like a worker that is down. A labelled metric is left out of the
 * scrape; an unlabelled one cannot be (prom-client gives it 0 when emptied), so it reads NaN, which
 * Prometheus takes as "not known": a 0 would say that no device is online. `unknown` is what a
 * failed read leaves; a labelled metric, emptied before its read, needs nothing.
 */
async function readOr(read: () => Promise<void>, unknown: () => void = () => undefined): Promise<void> {
  try {
    await read();
  } catch {
    unknown();
  }
}

export class GatewayMetrics {
  /** This gateway's own registry (not prom-client's global one: two gateways in one test process stay apart). */
  readonly registry = new Registry();
  private readonly stored: Counter;

  constructor(store: GatewayStore, o: MetricsOptions) {
    const db = store.db;
    const registers = [this.registry];
    const n = sql<number>`count(*)`.as('n');
    /** An unlabelled gauge read from the database at each scrape. */
    const gauge = (name: string, help: string, read: () => Promise<{ n: number } | undefined>) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          await readOr(
            async () => this.set(Number((await read())?.n ?? 0)),
            () => this.set(Number.NaN),
          );
        },
      });
    new Gauge({
      name: 'hcp_store_up',
      help: 'Whether this process could store a rating now (1) or not (0); GET /health says why',
      registers,
      async collect() {
        this.set((await o.health()).ok ? 1 : 0);
      },
    });
    this.stored = new Counter({ name: 'hcp_ingest_records_stored_total', help: 'Chain records ingest committed (this process)', registers });
    const phases = o.ingestPhases;
    new Counter({
      name: 'hcp_ingest_groups_total',
      help: 'Ingest groups committed, each one transaction for the batches gathered (this process)',
      registers,
      collect() {
        this.reset();
        this.inc(phases.groups);
      },
    });
    new Counter({
      name: 'hcp_ingest_group_seconds_total',
      help: "Ingest groups' time by phase: check, begin, lock, heads, decide, heads-save, insert, commit, ack (this process; docs/POSTGRES.md)",
      labelNames: ['phase'],
      registers,
      collect() {
        this.reset();
        for (const phase of GROUP_PHASES) this.inc({ phase }, phases.seconds[phase]);
      },
    });
    const wal = store.walCheckpoints;
    if (wal) {
      // SQLite's checkpoints on their own thread (gateway/store/wal-checkpointer.ts; docs/OPERATIONS.md, "WAL checkpoints").
      new Counter({
        name: 'hcp_sqlite_wal_checkpoints_total',
        help: 'WAL checkpoints run by the checkpointing thread (this process)',
        registers,
        collect() {
          this.reset();
          this.inc(wal().runs);
        },
      });
      new Gauge({
        name: 'hcp_sqlite_wal_frames',
        help: 'Pages in the WAL at the last checkpoint (the connection starts it over past 10,000)',
        registers,
        collect() {
          this.set(wal().last?.log ?? 0);
        },
      });
      new Gauge({
        name: 'hcp_sqlite_wal_checkpoint_thread_failed',
        help: '1 once the checkpointing thread failed and commits checkpoint on the event loop again',
        registers,
        collect() {
          this.set(wal().failed ? 1 : 0);
        },
      });
    }
    gauge('hcp_devices_online', 'Enrolled devices connected now', () => db.selectFrom('devices').select(n).where('online', '=', 1).where('retired', '=', 0).executeTakeFirst());
    gauge('hcp_devices_enrolled', 'Enrolled devices not retired', () =>
      db.selectFrom('devices').select(n).where('enrolled_at', 'is not', null).where('retired', '=', 0).executeTakeFirst(),
    );
    new Gauge({
      name: 'hcp_device_backlog',
      help: 'Records a device last reported as not yet acknowledged by the gateway',
      labelNames: ['device'],
      registers,
      async collect() {
        this.reset();
        await readOr(async () => {
          const rows = await db.selectFrom('devices').select(['device_id', 'status']).where('retired', '=', 0).where('status', 'is not', null).execute();
          for (const r of rows) {
            const b = (JSON.parse(r.status!) as { backlog?: unknown }).backlog;
            if (typeof b === 'number') this.set({ device: r.device_id }, b);
          }
        });
      },
    });
    new Gauge({
      name: 'hcp_alerts_live',
      help: 'Alerts whose condition is not over, by kind',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        await readOr(async () => {
          const rows = await db.selectFrom('alerts').select(['kind', n]).where('cleared_at', 'is', null).groupBy('kind').execute();
          for (const r of rows) this.set({ kind: r.kind }, Number(r.n));
        });
      },
    });
    // Counted in the database (security_events rows only grow), so every worker reports the hall's total.
    new Counter({
      name: 'hcp_security_events_total',
      help: 'Refused connections, publishes and batches recorded, by kind',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        await readOr(async () => {
          const rows = await db
            .selectFrom('security_events')
            .select(['kind', sql<number>`sum(count)`.as('n')])
            .groupBy('kind')
            .execute();
          for (const r of rows) this.inc({ kind: r.kind }, Number(r.n));
        });
      },
    });
    if (!o.uplink) return;
    // The uplink's tables exist whether or not it runs (every migration runs); read only when it does.
    gauge('hcp_uplink_outbox_pending', 'Items waiting to go to the province', () => db.selectFrom('uplink_outbox').select(n).where('state', '=', 'pending').executeTakeFirst());
    gauge('hcp_uplink_dead_letters', 'Items the province refused for good, waiting for hall IT', () => db.selectFrom('uplink_dead_letters').select(n).executeTakeFirst());
  }

  /** Ingest's `stored` hook: records committed. */
  recordsStored(n: number): void {
    this.stored.inc(n);
  }

  /** GET /metrics. */
  routes(): FastifyPluginAsync {
    return async (app) => {
      app.get(
        '/metrics',
        {
          schema: {
            description:
              "Prometheus metrics (text format 0.0.4) for the hall's monitoring network: ingest, devices, backlogs, uplink, alerts, security events. No login; no personal data.",
            response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
          },
        },
        async (_req, reply) => {
          const text = await this.registry.metrics();
          return reply.header('content-type', this.registry.contentType).send(text);
        },
      );
    };
  }
}
