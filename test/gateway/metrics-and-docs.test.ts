/**
 * Issue 11: `/metrics` for the hall's monitoring (Prometheus text, gauges read from the database at
 * scrape time, no personal data in labels), and `/docs`, the API's pages, working with no request
 * leaving 127.0.0.1 (the hall LAN may have no internet) — checked by fetching every asset the page
 * names and by loading it in Chromium and watching every request it makes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { launchChromium } from '../kiosk/kiosk-harness.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { deadlockingWrites } from '../support/deadlocking-writes.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

const metrics = async () => {
  const res = await fetch(`${gw.httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};
/** The value of one sample line (`name{labels} value`), or undefined. */
const sample = (text: string, series: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.split(' ')[1];

describe('/metrics', () => {
  it('counts stored records and reads devices, backlogs, alerts and security events from the database', async () => {
    await gw.registry.upsertStaff({ staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: ['0A1B2C3D4E'], windowId: 'w-01' });
    const dev = new ScriptedDevice('dev-metrics', 'w-01', gw.httpUrl);
    await dev.enrol((await gw.enrolment.registerDevice('dev-metrics', 'w-01')).code);
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    await dev.send([dev.rating(5), dev.rating(1), dev.rating(4)]);
    await dev.publishJson('status', { deviceId: 'dev-metrics', online: true, backlog: 7, panel: 'disconnected' });
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { password: 'not-the-password' }).catch(() => undefined);

    const text = await waitFor(
      async () => {
        const t = await metrics();
        // The status's alert is raised after its backlog is written (device-status.ts): wait for both
        // (CI once scraped between them).
        const alert = sample(t, 'hcp_alerts_live{kind="panel-disconnected"}') === '1';
        return sample(t, 'hcp_device_backlog{device="dev-metrics"}') === '7' && alert && t.includes('hcp_security_events_total{kind="connect-refused"}') ? t : null;
      },
      { what: 'metrics of the device' },
    );
    expect(sample(text, 'hcp_ingest_records_stored_total')).toBe('3');
    // Where the groups' time went (gateway/ingest/group-phases.ts): every phase shown, the checks and the commit taking some.
    expect(Number(sample(text, 'hcp_ingest_groups_total'))).toBeGreaterThanOrEqual(1);
    for (const phase of ['check', 'begin', 'lock', 'heads', 'decide', 'heads-save', 'insert', 'commit', 'ack'])
      expect(Number(sample(text, `hcp_ingest_group_seconds_total{phase="${phase}"}`)), phase).toBeGreaterThanOrEqual(0);
    expect(Number(sample(text, 'hcp_ingest_group_seconds_total{phase="commit"}'))).toBeGreaterThan(0);
    expect(sample(text, 'hcp_devices_online')).toBe('1');
    expect(sample(text, 'hcp_devices_enrolled')).toBe('1');
    expect(sample(text, 'hcp_alerts_live{kind="panel-disconnected"}')).toBe('1');
    expect(Number(sample(text, 'hcp_security_events_total{kind="connect-refused"}'))).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/# TYPE hcp_security_events_total counter/);
    if (gw.store.dialect === 'sqlite') {
      // The store's WAL is checkpointed by its own thread (docs/OPERATIONS.md, "WAL checkpoints").
      const walText = await waitFor(
        async () => {
          const t = await metrics();
          return Number(sample(t, 'hcp_sqlite_wal_checkpoints_total')) > 0 ? t : null;
        },
        { what: 'a checkpoint counted' },
      );
      expect(Number(sample(walText, 'hcp_sqlite_wal_frames'))).toBeGreaterThan(0);
      expect(sample(walText, 'hcp_sqlite_wal_checkpoint_thread_failed')).toBe('0');
    } else expect(text).not.toMatch(/hcp_sqlite_/);
    // Without a province section the uplink is off: nothing of it is read or shown.
    expect(text).not.toMatch(/hcp_uplink_/);
    // Labels are device ids and kinds only: no staff, no badge, no rating.
    const labels = [...text.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((l) => l.split('=')[0]));
    // worker, job and sqlstate: which gateway worker, which periodic job, which kind of collision
    // (PostgreSQL only; a write may or may not have collided by now), and phase, of an ingest group; none names a person.
    expect(new Set(labels.filter((l) => l !== 'sqlstate'))).toEqual(
      new Set(process.env.HCP_TEST_STORE === 'postgres' ? ['device', 'kind', 'phase', 'worker', 'job'] : ['device', 'kind', 'phase']),
    );
    expect(text).not.toMatch(/张晓梅|s-001|0A1B2C3D4E/);
    await dev.close();
  });

  it('names the worker and the jobs it holds, and counts the writes that ran again (PostgreSQL; none on SQLite)', async () => {
    if (gw.store.dialect === 'sqlite') {
      expect(await metrics()).not.toMatch(/hcp_worker_|hcp_store_write_retries/);
      return;
    }
    // Two writes collide as a deadlock (40P01); the store runs one again.
    await deadlockingWrites(gw.store, ['metrics-a', 'metrics-b']);
    const text = await metrics();
    const worker = /hcp_worker_info\{worker="([^"]+)"\} 1/.exec(text)?.[1];
    expect(worker).toBeTruthy();
    expect(text).toMatch(new RegExp(`hcp_worker_jobs_held\\{worker="${worker}",job="[\\w-]+"\\} [01]`));
    expect(Number(sample(text, `hcp_store_write_retries_total{worker="${worker}",sqlstate="40P01"}`))).toBeGreaterThanOrEqual(1);
  });

  it('shows the outbox and the dead letters when the uplink runs', async () => {
    const withUplink = await startInProcessGateway({
      dir: mkdtempSync(join(tmpdir(), 'hcp-gw-metrics-')),
      sections: { province: { url: 'http://127.0.0.1:9/province/ratings', appId: 'hcp-lf', key: 'province-shared-key-0001', areaCode: '131000', deptCode: 'LF-ZWFW' } },
    });
    try {
      const text = await (await fetch(`${withUplink.httpUrl}/metrics`)).text();
      expect(sample(text, 'hcp_uplink_outbox_pending')).toBe('0');
      expect(sample(text, 'hcp_uplink_dead_letters')).toBe('0');
    } finally {
      await withUplink.stop();
    }
  });
});

describe('/docs', () => {
  it('serves the page and every script, style sheet and icon it names from the gateway itself', async () => {
    const res = await fetch(`${gw.httpUrl}/docs/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(5);
    for (const ref of refs) {
      const url = new URL(ref, `${gw.httpUrl}/docs/`);
      expect(url.host, ref).toBe(new URL(gw.httpUrl).host);
      const asset = await fetch(url);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
    const init = await (await fetch(`${gw.httpUrl}/docs/static/swagger-initializer.js`)).text();
    // No validator badge fetched from validator.swagger.io.
    expect(init).toMatch(/"?validatorUrl"?: null/);
  });

  it('loads in a browser with no request leaving 127.0.0.1, and shows the API', async () => {
    const context = await launchChromium(mkdtempSync(join(tmpdir(), 'hcp-docs-chromium-')), { width: 1280, height: 800 });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        requests.push(route.request().url());
        // Anything not for the gateway is refused, as it would fail on a hall LAN without internet.
        return route.request().url().startsWith(gw.httpUrl) ? route.continue() : route.abort();
      });
      await page.goto(`${gw.httpUrl}/docs`);
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
      expect(await page.textContent('.swagger-ui .info .title')).toContain('hcp hall gateway');
      await page.waitForSelector('[data-path="/api/integrity/ratings"]', { timeout: 20_000 });
      expect(requests.filter((u) => !u.startsWith(gw.httpUrl) && !u.startsWith('data:'))).toEqual([]);
      expect(requests.some((u) => u.endsWith('/docs/json'))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('documents the response of each new route in /openapi.json (the console generates its types from it)', async () => {
    const spec = (await (await fetch(`${gw.httpUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    for (const path of ['/api/integrity', '/api/integrity/ratings', '/api/audit']) {
      const op = spec.paths[path]!.get;
      expect(op.description, path).toBeTruthy();
      expect(op.responses['200'].content['application/json'].schema.properties, path).toBeTruthy();
      expect(op.responses['400'], path).toBeTruthy();
    }
    expect(spec.paths['/api/audit/export.csv']!.get.responses['200'].content['text/csv']).toBeTruthy();
    expect(spec.paths['/metrics']!.get.responses['200'].content['text/plain']).toBeTruthy();
    expect(spec.paths['/api/integrity']!.get.parameters.map((p: any) => p.name).sort()).toEqual(['from', 'to']);
  });
});
