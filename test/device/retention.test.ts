/**
 * A device that lives long does not fill up (issue 10, hole 8): with a small store cap, a device
 * whose records keep being acknowledged goes on taking ratings far past what fits without pruning,
 * reports how full its store is, and its store still verifies. What the gateway has not
 * acknowledged is never pruned: offline, the same device fills up and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF, REPO_ROOT, startDevice, type RunningDevice } from '../support/device-process.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

/** Ratings until one is refused (or `max`); returns how many were confirmed and the refusal. */
async function rateUntilRefused(device: RunningDevice, max: number): Promise<{ confirmed: number; refusal?: { status: number; body: any } }> {
  let confirmed = 0;
  for (let i = 0; i < max; i++) {
    await device.api('POST', '/api/invite');
    const r = await device.api('POST', '/api/rate', { level: 5 });
    if (r.status !== 200) return { confirmed, refusal: r };
    confirmed += 1;
  }
  return { confirmed };
}

function verify(dataDir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'device/cli/verify.ts', '--data-dir', dataDir], { cwd: REPO_ROOT });
  return { code: r.status, out: r.stdout.toString() };
}

describe('store retention', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('an offline device with a small store fills up: what fits without pruning', async () => {
    // The baseline: nobody acknowledges, so nothing may be pruned.
    const device = await startDevice({ deviceId: 'dev-fill-offline', dir: mkdtempSync(join(tmpdir(), 'hcp-fill-')), config: { store: { maxSizeMiB: 0.25, retainDays: 0 } } });
    cleanups.push(() => device.stop());
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    const r = await rateUntilRefused(device, 5000);
    expect(r.refusal?.body).toMatchObject({ error: 'storage-full' });
    expect(r.confirmed).toBeGreaterThan(50);
    expect(r.confirmed).toBeLessThan(240);
    expect((await device.api('GET', '/api/status')).body.storeFill).toBeGreaterThan(0.9);
    expect(device.stderr()).toMatch(/the device store is filling up: records the gateway has not acknowledged cannot be pruned/);
  });

  it('a device whose records keep being acknowledged takes ratings far past what fits, and verifies', async () => {
    const broker = await TestBroker.start({ ack: true });
    const stub = await EnrolStub.start();
    cleanups.push(
      () => broker.close(),
      () => stub.close(),
    );
    const device = await startDevice({
      deviceId: 'dev-fill-synced',
      dir: mkdtempSync(join(tmpdir(), 'hcp-fill-')),
      config: { store: { maxSizeMiB: 0.25, retainDays: 0 }, gateway: { url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-fill' } },
    });
    await broker.waitFor(() => broker.connectedClients().includes('dev-fill-synced'));
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    // Five times what fits without pruning (under 240, above).
    const r = await rateUntilRefused(device, 1200);
    expect(r.refusal).toBeUndefined();
    expect(r.confirmed).toBe(1200);
    await broker.waitFor(() => broker.of('dev-fill-synced', 'records').some((b) => b.records.some((x: { seq: number }) => x.seq === 1200)));
    await broker.waitFor(() => broker.of('dev-fill-synced', 'status').some((s) => typeof s.storeFill === 'number'));
    const fills = broker
      .of('dev-fill-synced', 'status')
      .filter((s) => typeof s.storeFill === 'number')
      .map((s) => s.storeFill as number);
    expect(fills.every((f) => f > 0 && f <= 1)).toBe(true);
    await device.stop();

    // Pruned up to (not including) the acknowledged head; the chain verifies from the checkpoint.
    const db = new Database(join(device.dataDir, 'device.db'), { readonly: true });
    const kept = db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS first, MAX(seq) AS last FROM records').get() as { n: number; first: number; last: number };
    const bounds = db.prepare('SELECT pruned_through_seq AS through, head_seq AS head FROM chain_bounds').get() as { through: number; head: number };
    const ack = db.prepare('SELECT acked_through_seq AS through FROM outbox_ack').get() as { through: number };
    db.close();
    expect(kept.last).toBe(1200);
    expect(kept.n).toBeLessThan(240);
    expect(bounds.head).toBe(1200);
    expect(bounds.through).toBeGreaterThan(900);
    expect(bounds.through).toBeLessThan(ack.through);
    expect(kept.first).toBe(bounds.through + 1);
    const v = verify(device.dataDir);
    expect(v.out).toMatch(/head seq 1200/);
    expect(v.out).toMatch(/pruned through \d+/);
    expect(v.out).toMatch(/OK: the chain is intact/);
    expect(v.code).toBe(0);
  }, 120_000);
});
