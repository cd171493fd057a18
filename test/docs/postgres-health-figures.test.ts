/**
 * The figures docs/POSTGRES.md gives for a worker whose database fails ("Health", "Periodic jobs")
 * are the code's: the probe's bound and reuse, and how often a repeating failure is logged.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { STORE_WIDE_LOG_MS } from '../../gateway/ingest/ingest-queue.js';
import { SMS_PASS_FAILURES_LOG_MS } from '../../gateway/sms/sms-feature.js';
import { SmsConfigSchema } from '../../gateway/sms/sms-config.js';
import { HEALTH_PROBE_TIMEOUT_MS } from '../../gateway/store/postgres-store.js';
import { HEALTH_FRESH_MS } from '../../gateway/store/store-health.js';
import { OutboxSettingsSchema } from '../../gateway/uplink/provinces/index.js';
import { OUTBOX_READ_FAILURES_LOG_MS, SENDER_IDLE_MS } from '../../gateway/uplink/sender.js';
import { LEASED_JOBS, RENEWAL_FAILURES_LOG_MS } from '../../gateway/workers/job-lease.js';

const doc = readFileSync('docs/POSTGRES.md', 'utf8').replace(/\s+/g, ' ');
const seconds = (ms: number) => `${ms / 1000} s`;

it('gives the health probe’s bound and how long its answer is reused as the code has them', () => {
  expect(doc).toContain(`asks the server on a connection of its own, within ${seconds(HEALTH_PROBE_TIMEOUT_MS)}`);
  expect(doc).toContain(`cannot be reached: no answer within ${seconds(HEALTH_PROBE_TIMEOUT_MS)}`);
  expect(HEALTH_FRESH_MS).toBe(1000);
  expect(doc).toContain("One probe's answer is given to every request of the next second");
});

it('gives how often ingest and the job leases log a repeating failure as the code has it', () => {
  expect(doc).toContain(`one more every ${STORE_WIDE_LOG_MS / 1000} s while it lasts with how many batches went unacknowledged`);
  expect(doc).toContain(`one more every ${RENEWAL_FAILURES_LOG_MS / 1000} s while it lasts with the rounds that failed since`);
  expect(LEASED_JOBS).toHaveLength(6);
  expect(doc).toContain('every renewal fails, six jobs every five seconds');
});

it('gives how often the uplink and the SMS outbox read, and log a repeating failure, as the code has it', () => {
  expect(OUTBOX_READ_FAILURES_LOG_MS).toBe(SMS_PASS_FAILURES_LOG_MS);
  expect(doc).toContain(`one line at once, then one every ${OUTBOX_READ_FAILURES_LOG_MS / 1000} s with how many failed since`);
  const tickMs = SmsConfigSchema.shape.tickMs.parse(undefined);
  expect(doc).toContain(`the SMS outbox's pass every ${tickMs / 1000} s`);
  expect(SENDER_IDLE_MS).toBe(1000);
  expect(doc).toContain("the uplink's sending loops, each reading the outbox every second");
  expect(doc).toContain(`the uplink's pump, every ${OutboxSettingsSchema.parse({}).pumpEveryMs / 1000} s on the worker holding its lease`);
});
