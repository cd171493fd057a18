/**
 * The exactly-once drill (issue 3, "Must show" 1), run by drill.test.ts (embedded aedes) and
 * mosquitto.test.ts (Debian mosquitto as the broker): real device processes rating concurrently
 * through a real gateway process; devices and the gateway kill -9ed at random moments; the network
 * between them cut and restored. At the end every rating confirmed on a device is in the gateway
 * exactly once, and every device's chain verifies there.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { ChainRecord } from '../../device/contract/index.js';
import { verifyChain } from '../../device/contract/chain.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { TcpProxy } from './tcp-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DrillOptions {
  devices: number;
  runMs: number;
  /** Where devices connect: the gateway's embedded aedes, or an external broker (Mosquitto). */
  broker?: ExternalBroker;
  label: string;
}

export interface ExternalBroker {
  port: number;
  gatewayMqtt: Record<string, unknown>;
  /** A broker-side cut: restart the broker process. */
  restart(): Promise<void>;
}

export async function runDrill(o: DrillOptions): Promise<void> {
  const DEVICES = o.devices;
  const RUN_MS = o.runMs;
  const dir = mkdtempSync(join(tmpdir(), 'hcp-drill-'));
  // A fixed HTTP port: devices fetch a key-proof nonce from it before every connection, across gateway restarts.
  const gwConfig = writeGatewayConfig(join(dir, 'gw'), { http: { port: await freePort() }, ...(o.broker ? { mqtt: o.broker.gatewayMqtt } : {}) });
  const gwData = join(dir, 'gw', 'data');
  let gw: RunningGateway = await startGateway(gwConfig, gwData);
  const proxy = new TcpProxy(() => o.broker?.port ?? gw.mqttPort);
  await proxy.start();
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  await gw.api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: 'w-01' });

  const ids = Array.from({ length: DEVICES }, (_, i) => `dev-drill-${String(i).padStart(2, '0')}`);
  const configs = new Map<string, Record<string, unknown>>();
  for (const id of ids) {
    const { code } = (await gw.api('POST', '/api/devices', { deviceId: id, windowId: 'w-01' })).body;
    configs.set(id, {
      gateway: {
        url: gw.http,
        mqttUrl: `mqtt://127.0.0.1:${proxy.port}`,
        enrolmentCode: code,
        ackTimeoutMs: 3000,
        retry: { initialMs: 200, maxMs: 3000, stableMs: 2000, refusedMs: 2000 },
      },
    });
  }
  const devices = new Map<string, RunningDevice>();
  const start = async (id: string) => devices.set(id, await startDevice({ deviceId: id, dir: join(dir, id), config: configs.get(id)! }));
  for (let i = 0; i < ids.length; i += 5) await Promise.all(ids.slice(i, i + 5).map(start));
  for (const d of devices.values()) await d.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });

  const confirmed = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const down = new Set<string>();
  let running = true;
  const raters = ids.map(async (id, k) => {
    await sleep(k * 20);
    while (running) {
      const d = devices.get(id)!;
      if (!down.has(id)) {
        try {
          await d.api('POST', '/api/invite');
          const r = await d.api('POST', '/api/rate', { level: 1 + Math.floor(Math.random() * 5) });
          if (r.status === 200) confirmed.get(id)!.add(r.body.ratingId);
        } catch {
          /* killed under our feet: unconfirmed */
        }
      }
      await sleep(250);
    }
  });

  const events: string[] = [];
  const chaos = (async () => {
    const t0 = Date.now();
    const plan = [
      { at: 0.15, act: 'cut' },
      { at: 0.25, act: 'kill-gateway' },
      { at: 0.45, act: o.broker ? 'restart-broker' : 'cut' },
      { at: 0.55, act: 'kill-gateway' },
      { at: 0.75, act: 'kill-gateway' },
    ];
    let deviceKills = 0;
    while (Date.now() - t0 < RUN_MS) {
      const f = (Date.now() - t0) / RUN_MS;
      const next = plan[0];
      if (next && f >= next.at) {
        plan.shift();
        if (next.act === 'restart-broker') {
          await o.broker!.restart();
          events.push('broker restart');
        } else if (next.act === 'cut') {
          proxy.cutNetwork();
          events.push('network cut');
          await sleep(2500);
          proxy.restore();
        } else {
          await gw.kill9();
          events.push('gateway kill -9');
          await sleep(800);
          gw = await startGateway(gwConfig, gwData);
        }
      }
      // A device kill -9 every ~1.5 s, restarted at once over the same data dir.
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      down.add(id);
      await devices.get(id)!.kill9();
      deviceKills++;
      await start(id);
      down.delete(id);
      await sleep(1500);
    }
    events.push(`${deviceKills} device kill -9s`);
  })();
  await chaos;
  running = false;
  await Promise.all(raters);

  // Let every device drain its outbox: waiting as long as the backlogs shrink, not a fixed time.
  const backlogs = async () => (await Promise.all([...devices.values()].map(async (d) => (await d.api('GET', '/api/status')).body.backlog as number))).reduce((a, b) => a + b, 0);
  await waitFor(async () => (await backlogs()) === 0, { what: 'every device drained', stallMs: 60_000, progress: backlogs });
  await Promise.all([...devices.values()].map((d) => d.stop()));
  await gw.stop();
  await proxy.stop();

  const db = new Database(join(gwData, 'gateway.db'), { readonly: true });
  let total = 0;
  let totalConfirmed = 0;
  for (const id of ids) {
    const rows = (db.prepare('SELECT body FROM records WHERE device_id = ? ORDER BY seq').all(id) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as ChainRecord);
    const gatewayIds = new Set(rows.map((r) => r.id));
    expect(gatewayIds.size).toBe(rows.length);
    for (const rid of confirmed.get(id)!) expect(gatewayIds.has(rid), `${id}: confirmed rating ${rid} missing at the gateway`).toBe(true);
    expect(verifyChain(rows, readDevicePublicKey(join(dir, id, 'data')), { signatures: 'all', deviceId: id })).toEqual([]);
    total += rows.length;
    totalConfirmed += confirmed.get(id)!.size;
  }
  const byId = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM records').get() as { n: number; d: number };
  expect(byId.n).toBe(byId.d);
  db.close();
  console.log(
    `drill (${o.label}): ${DEVICES} devices, ${events.join(', ')}; ${totalConfirmed} ratings confirmed on devices, ${total} records at the gateway, each once, every chain verifies`,
  );
  expect(totalConfirmed).toBeGreaterThan(DEVICES * 10);
}
