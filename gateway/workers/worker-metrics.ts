/**
 * Which worker answers, which periodic jobs it runs, and how often its writes collided and ran
 * again, on `/metrics` and in every log line (issue 14). Each worker is scraped on its own; Prometheus adds the `instance`, this adds the
 * gateway's own name for the process, the one its log lines carry.
 */
import { hostname } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayStore } from '../store/database.js';
import { LEASED_JOBS, type JobHolder } from './job-lease.js';

/** `HCP_WORKER_ID` when a site names its workers (a systemd instance name), else host and pid. */
export function workerIdFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.HCP_WORKER_ID?.trim();
  if (named && /^[\w.:-]{1,64}$/.test(named)) return named;
  return `${hostname()}-${process.pid}`;
}

export function registerWorkerMetrics(registry: Registry, workerId: string, leases: JobHolder, store: GatewayStore): void {
  const info = new Gauge({ name: 'hcp_worker_info', help: 'This gateway worker (always 1; the label names it)', labelNames: ['worker'], registers: [registry] });
  info.set({ worker: workerId }, 1);
  new Gauge({
    name: 'hcp_worker_jobs_held',
    help: 'Periodic jobs this worker runs now (1: it holds the job lease)',
    labelNames: ['worker', 'job'],
    registers: [registry],
    collect() {
      for (const job of LEASED_JOBS) this.set({ worker: workerId, job }, leases.holds(job) ? 1 : 0);
    },
  });
  // Writes that collided and ran again: a rising count means workers contend (docs/POSTGRES.md).
  new Counter({
    name: 'hcp_store_write_retries_total',
    help: 'Writes run again after a serialization failure (40001) or a deadlock (40P01), by SQLSTATE (this worker)',
    labelNames: ['worker', 'sqlstate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sqlstate, n] of Object.entries(store.writeRetries?.() ?? {})) this.inc({ worker: workerId, sqlstate }, n);
    },
  });
}
