/**
 * Issue 14, "Must show": the sync drill with 3 gateway workers on one PostgreSQL and one Mosquitto.
 * Real device processes rate through a TCP proxy to the broker; workers take the batches from a
 * shared subscription. Workers are kill -9ed at random and restarted, PostgreSQL is restarted once,
 * the network between devices and broker is cut once. At the end: every rating confirmed on a
 * device is stored once, every chain verifies, each periodic job's lease terms never overlapped,
 * and a console session made through worker 1 still works through worker 2 after worker 1 died.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { ChainRecord } from '../../device/contract/index.js';
import { verifyChain } from '../../device/contract/chain.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { ADMIN } from '../../scripts/lib/gateway-process.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { startPgCluster } from '../support/pg-cluster.js';
import { TcpProxy } from '../sync/tcp-proxy.js';
import { createDatabase, restartPg, startMosquitto, workerPool } from './workers-support.js';

const DEVICES = 6;
const RUN_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('3 workers, kill -9s, a PostgreSQL restart, a network cut: exactly once, chains verify, one runner per job, sessions survive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-workers-'));
  const cluster = await startPgCluster();
  const mosquitto = await startMosquitto(dir);
  const url = await createDatabase(cluster.baseUrl, 'hcp_workers');
  const pool = await workerPool(dir, 3, { kind: 'postgres', url, poolSize: 5 }, { requireKeyProof: false, external: mosquitto.external });
  const devices = new Map<string, RunningDevice>();
  const mqttProxy = new TcpProxy(() => mosquitto.port);
  // Devices and browsers reach the workers through one address, as behind a site's load balancer.
  let next = 0;
  const httpProxy = new TcpProxy(() => {
    const alive = pool.alive();
    return pool.httpPorts[alive[next++ % Math.max(1, alive.length)] ?? 0]!;
  });
  try {
    await Promise.all([0, 1, 2].map((i) => pool.start(i)));
    await mqttProxy.start();
    await httpProxy.start();
    const w1 = pool.workers[0]!;
    await w1.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
    await w1.api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: 'w-01' });

    const ids = Array.from({ length: DEVICES }, (_, i) => `dev-work-${i}`);
    const start = async (id: string, code: string) => {
      const config = {
        gateway: {
          url: `http://127.0.0.1:${httpProxy.port}`,
          mqttUrl: `mqtt://127.0.0.1:${mqttProxy.port}`,
          enrolmentCode: code,
          ackTimeoutMs: 3000,
          retry: { initialMs: 200, maxMs: 3000, stableMs: 2000, refusedMs: 2000 },
        },
      };
      devices.set(id, await startDevice({ deviceId: id, dir: join(dir, id), config }));
    };
    await Promise.all(ids.map(async (id) => start(id, (await w1.api('POST', '/api/devices', { deviceId: id, windowId: 'w-01' })).body.code)));
    for (const d of devices.values()) await d.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });

    // A console session made through worker 1.
    const login = await fetch(`http://127.0.0.1:${pool.httpPorts[0]}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const token = ((await login.json()) as { token: string }).token;
    const me = (port: number) => fetch(`http://127.0.0.1:${port}/api/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await me(pool.httpPorts[0]!)).toBe(200);

    // A browser's live stream on worker 2: it must show ratings that workers 1 and 3 stored.
    let liveRatings = 0;
    const liveAbort = new AbortController();
    const liveStream = fetch(`http://127.0.0.1:${pool.httpPorts[1]}/api/live/events`, { headers: { authorization: `Bearer ${token}` }, signal: liveAbort.signal })
      .then(async (r) => {
        const reader = r.body!.getReader();
        for (let c = await reader.read(); !c.done; c = await reader.read())
          liveRatings += (
            Buffer.from(c.value)
              .toString('utf8')
              .match(/^event: rating$/gm) ?? []
          ).length;
      })
      .catch(() => undefined);
    const storedBy = async (i: number) => {
      const text = await (await fetch(`http://127.0.0.1:${pool.httpPorts[i]}/metrics`)).text();
      return Number(/^hcp_ingest_records_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    let liveSeen = { onWorker2: 0, storedBy1: 0, storedBy3: 0 };

    const confirmed = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
    let running = true;
    const raters = ids.map(async (id, k) => {
      await sleep(k * 40);
      while (running) {
        try {
          await devices.get(id)!.api('POST', '/api/invite');
          const r = await devices.get(id)!.api('POST', '/api/rate', { level: 1 + Math.floor(Math.random() * 5) });
          if (r.status === 200) confirmed.get(id)!.add(r.body.ratingId);
        } catch {
          /* unconfirmed */
        }
        await sleep(200);
      }
    });

    const events: string[] = [];
    // The live worker that runs the periodic jobs now, as its /metrics says. job_leases alone would
    // still name a killed worker until its lease expires (15 s), and its name is also the name of
    // its restarted successor, which does not hold the job: killing that one would test nothing.
    const leaseHolder = async () =>
      waitFor(
        async () => {
          for (const i of pool.alive()) {
            const text = await fetch(`http://127.0.0.1:${pool.httpPorts[i]}/metrics`)
              .then((r) => r.text())
              .catch(() => '');
            if (/^hcp_worker_jobs_held\{[^}]*job="device-watch"[^}]*\} 1$/m.test(text)) return { i };
          }
          return null;
        },
        { what: 'a live worker holding the device-watch lease', stallMs: 25_000, everyMs: 200 },
      ).then((h) => h.i);
    let sessionAfterDeath = 0;
    let leaseHolderKilled = '';
    let holderKilledAt = 0;
    const restarts: Array<Promise<unknown>> = [];
    const aliveOne = (i: number) => (pool.alive().includes(i) ? i : pool.alive()[Math.floor(Math.random() * pool.alive().length)]!);
    // As systemd starts a worker again (Restart=always, RestartSec=2s): one whose start met
    // PostgreSQL restarting (it exits, "the database system is shutting down") is started again.
    const restart = async (i: number): Promise<unknown> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await pool.start(i);
        } catch (err) {
          if (attempt >= 5) throw err;
          events.push(`worker-${i + 1} could not start, started again`);
          await sleep(2000);
        }
      }
    };
    const kill = async (wanted: number) => {
      // A worker still restarting is not killed again: another live one is (or, none being up, the first back).
      if (pool.alive().length === 0) await Promise.all(restarts);
      const i = aliveOne(wanted);
      if (i === 0 && liveSeen.onWorker2 === 0) liveSeen = { onWorker2: liveRatings, storedBy1: await storedBy(0), storedBy3: await storedBy(2) };
      await pool.workers[i]!.kill9();
      events.push(`worker-${i + 1} kill -9`);
      // Only worker 1's first death: a later kill may pick worker 1 while worker 2 is itself down
      // and restarting (CI once killed worker 2 at 0.7 and worker 1 at 0.85), refusing the check.
      if (i === 0 && sessionAfterDeath === 0) sessionAfterDeath = await me(pool.httpPorts[1]!);
      // Restarted in the background, as systemd would: the plan goes on meanwhile.
      restarts.push(sleep(1000).then(() => restart(i)));
    };
    const plan: Array<{ at: number; act: () => Promise<void> }> = [
      { at: 0.1, act: () => kill(0) },
      {
        at: 0.25,
        act: async () => {
          mqttProxy.cutNetwork();
          events.push('network cut');
          await sleep(2500);
          mqttProxy.restore();
        },
      },
      // The worker running the periodic jobs: another must take them over.
      {
        at: 0.4,
        act: async () => {
          const holder = await leaseHolder();
          leaseHolderKilled = `worker-${holder + 1}`;
          holderKilledAt = Date.now();
          await kill(holder);
        },
      },
      {
        at: 0.55,
        act: async () => {
          await restartPg(cluster.baseUrl);
          events.push('PostgreSQL restart');
        },
      },
      { at: 0.7, act: () => kill(Math.floor(Math.random() * 3)) },
      { at: 0.85, act: () => kill(Math.floor(Math.random() * 3)) },
    ];
    const t0 = Date.now();
    while (plan.length > 0 || Date.now() - t0 < RUN_MS) {
      const step = plan[0];
      if (step && (Date.now() - t0) / RUN_MS >= step.at) {
        plan.shift();
        await step.act();
      }
      await sleep(200);
    }
    running = false;
    await Promise.all(raters);
    await Promise.all(restarts);
    const backlogs = async () => (await Promise.all([...devices.values()].map(async (d) => (await d.api('GET', '/api/status')).body.backlog as number))).reduce((a, b) => a + b, 0);
    await waitFor(async () => (await backlogs()) === 0, { what: 'every device drained', stallMs: 30_000, progress: backlogs });
    // Another worker takes the jobs over once the killed holder's lease runs out (at most 15 s).
    const takeover = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const rows = (await c.query<{ holder: string }>("SELECT holder FROM job_lease_terms WHERE job = 'device-watch' AND taken_at > $1", [holderKilledAt])).rows;
      await c.end();
      return rows[0]?.holder ?? null;
    };
    const tookOver = await waitFor(takeover, { what: `a worker taking device-watch over from ${leaseHolderKilled}`, stallMs: 25_000, everyMs: 500 });
    // Checked last, so that a worker's unplanned death does not hide the other findings.
    const aliveAtEnd = pool.alive();
    await Promise.all([...devices.values()].map((d) => d.stop()));
    devices.clear();
    await Promise.all(pool.workers.map((w) => w?.stop()));

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    let stored = 0;
    let totalConfirmed = 0;
    for (const id of ids) {
      const rows = (await db.query<{ body: string }>('SELECT body FROM records WHERE device_id = $1 ORDER BY seq', [id])).rows.map((r) => JSON.parse(r.body) as ChainRecord);
      const atGateway = new Set(rows.map((r) => r.id));
      expect(atGateway.size).toBe(rows.length);
      for (const rid of confirmed.get(id)!) expect(atGateway.has(rid), `${id}: confirmed rating ${rid} missing`).toBe(true);
      expect(verifyChain(rows, readDevicePublicKey(join(dir, id, 'data')), { signatures: 'all', deviceId: id })).toEqual([]);
      stored += rows.length;
      totalConfirmed += confirmed.get(id)!.size;
    }
    const once = (await db.query<{ n: string; d: string }>('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM records')).rows[0]!;
    expect(Number(once.n)).toBe(Number(once.d));
    // Batches of one device taken by two workers out of order are recorded as (transient) gaps.
    const gaps = Number((await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM chain_gaps')).rows[0]!.n);

    // One runner per job: each lease term began after the previous holder's last renewal.
    const terms = (await db.query<{ job: string; term: string; holder: string; taken_at: string; held_until: string }>('SELECT * FROM job_lease_terms ORDER BY job, term')).rows;
    await db.end();
    const byJob = new Map<string, typeof terms>();
    for (const t of terms) byJob.set(t.job, [...(byJob.get(t.job) ?? []), t]);
    for (const [job, ts] of byJob)
      for (let k = 1; k < ts.length; k++)
        expect(Number(ts[k]!.taken_at), `${job}: term ${ts[k]!.term} overlaps term ${ts[k - 1]!.term}`).toBeGreaterThan(Number(ts[k - 1]!.held_until));
    liveAbort.abort();
    await liveStream;
    expect(liveSeen.storedBy1 + liveSeen.storedBy3, 'workers 1 and 3 stored batches').toBeGreaterThan(0);
    expect(liveSeen.onWorker2, 'ratings on the live stream of worker 2').toBeGreaterThan(0);
    expect(events.filter((e) => e.includes('kill -9'))).toHaveLength(4);
    expect(events).toContain('PostgreSQL restart');
    expect(sessionAfterDeath, 'the console session made through worker 1, used on worker 2 after worker 1 died').toBe(200);

    const holders = [...byJob].map(([job, ts]) => `${job} ${ts.map((t) => t.holder.replace(/^worker-(\d+)\/.*/, 'w$1')).join('→')}`);
    console.log(
      `workers drill: 3 workers, ${DEVICES} devices, ${events.join(', ')}; ${totalConfirmed} ratings confirmed on devices, ${stored} records stored, each once, every chain verifies; lease terms: ${holders.join('; ')}; lease holder killed: ${leaseHolderKilled}, device-watch taken over by ${tookOver.replace(/\/.*/, '')}; session through worker 2 after worker 1's death: HTTP ${sessionAfterDeath}; live stream on worker 2: ${liveSeen.onWorker2} ratings while workers 1 and 3 had stored ${liveSeen.storedBy1} and ${liveSeen.storedBy3} records; ${gaps} transient chain gaps; workers alive at the end: ${aliveAtEnd.map((i) => i + 1).join(',')}`,
    );
    expect(totalConfirmed).toBeGreaterThan(DEVICES * 10);
    expect(aliveAtEnd, 'no worker died unplanned').toEqual([0, 1, 2]);
  } finally {
    await Promise.all([...devices.values()].map((d) => d.kill9()));
    await Promise.all(pool.workers.map((w) => w?.kill9()));
    await mqttProxy.stop();
    await httpProxy.stop();
    mosquitto.stop();
    cluster.stop();
  }
}, 150_000);
