/**
 * Issue 10, "Must show": one drill from the press to the province, under faults, with real
 * processes. 20 windows, each a real device process behind its own network; cases from the
 * business system; citizens rating what their window shows (some 差评 with their reasons at once,
 * some with slow details, some cases never rated); device kill -9s throughout, gateway kill -9s
 * (the uplink dies with it, mid-send too), network cuts, a province outage and answers that time
 * out after the province committed; two windows offline through the R7 deadline with ratings
 * pressed in time; the clock moved 10 days so unrated cases default; cases invited again after
 * their default (追加评价); one device wiped and enrolled again.
 *
 * At the end: every rating confirmed on a device is at the gateway exactly once; every chain
 * verifies with the key of its own enrolment; and the province holds, per case, exactly one first
 * rating — the real one if it was pressed in time, else the default —, its details, and its
 * 追加评价. The expectations come from what the devices stored, not from the gateway's own ledger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ChainRecord, DetailRecord, RatingRecord } from '@hcp/contract';
import { verifyChain } from '@hcp/contract/chain';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { HallWorld, sleep, type Confirmed, type Window } from './hall-world.js';

const WINDOWS = 20;
const DAY = 24 * 3600_000;
const JUMP = 10 * DAY;
const REASONS: Record<number, number[]> = { 1: [113, 115], 2: [209, 213] };

describe('press to province, exactly once, through faults', () => {
  it('20 devices, cases, R7 defaults on a moved clock, kills, cuts, province faults, a wiped device, late ratings', async () => {
    const world = new HallWorld(mkdtempSync(join(tmpdir(), 'hcp-p2p-')), WINDOWS);
    console.log(`drill data: ${world.dir}`);
    const confirmed: Confirmed[] = [];
    const events: Record<string, number> = {};
    const note = (what: string) => (events[what] = (events[what] ?? 0) + 1);
    await world.start();
    try {
      let day = 0;
      let stopCitizens = false;
      /** Per window, the cases a citizen will not rate (they leave), and how the next 差评 gives details. */
      const walkAway = new Set<string>();
      /** Cases whose citizen waits (not yet at the device) until the drill lets them press. */
      const notYet = new Set<string>();
      let rated = 0;
      const citizen = async (w: Window) => {
        const seen = new Set<string>();
        while (!stopCitizens) {
          await sleep(80);
          if (w.down || !w.device) continue;
          try {
            const s = (await w.device.api('GET', '/api/state')).body;
            const inv = s?.invitation;
            if (s?.screen !== 'armed' || !inv?.caseNo || seen.has(inv.id) || notYet.has(inv.caseNo)) continue;
            seen.add(inv.id);
            if (walkAway.has(inv.caseNo)) continue;
            const level = ([5, 4, 3, 2, 1, 5, 4, 2] as const)[rated++ % 8]!;
            const r = await w.device.api('POST', '/api/rate', { level });
            if (r.status !== 200) continue;
            const details: Confirmed['details'] = level > 2 ? 'none' : rated % 3 === 0 ? 'slow' : rated % 3 === 1 ? 'at-once' : 'none';
            const c: Confirmed = { ratingId: r.body.ratingId, deviceId: w.deviceId, caseNo: inv.caseNo, level, day, details, reasons: REASONS[level] ?? [] };
            confirmed.push(c);
            if (details === 'none') continue;
            // A slow typist: the reasons come after the gateway stopped holding the 差评 for them.
            if (details === 'slow') await sleep(5000);
            await w.device.api('POST', '/api/details', { ratingId: c.ratingId, reasons: c.reasons, comment: '跑了好几趟' }).catch(() => undefined);
          } catch {
            /* the process was killed under us: that press is unconfirmed */
          }
        }
      };
      const citizens = world.windows.map((w) => citizen(w));

      // Chaos for the length of a phase: device kill -9s, and the planned gateway kills, cuts and province faults.
      const chaos = async (ms: number, plan: Array<{ at: number; act: () => Promise<void> }>) => {
        const t0 = Date.now();
        while (Date.now() - t0 < ms) {
          const f = (Date.now() - t0) / ms;
          while (plan[0] && f >= plan[0].at) await plan.shift()!.act();
          const w = world.windows[Math.floor(Math.random() * world.windows.length)]!;
          if (!w.down) {
            await world.killDevice(w);
            note('device kill -9');
          }
          await sleep(1500);
        }
        for (const p of plan) await p.act();
      };
      const cutAll = async () => {
        for (const w of world.windows) w.proxy.cutNetwork();
        note('network cut');
        await sleep(2500);
        for (const w of world.windows) if (!offline.has(w)) w.proxy.restore();
      };
      const gatewayKill = async () => {
        await world.killGateway();
        note('gateway kill -9');
      };
      const province = (fault: Parameters<typeof world.sim.setFault>[0], name: string) => async () => {
        world.sim.setFault(fault);
        note(name);
      };

      // ---- Day 0: cases come, citizens rate (or leave); two windows lose their network after their citizens pressed.
      const offline = new Set<Window>();
      let caseN = 0;
      const caseNos: string[] = [];
      const round = async (prefix: string, leaveEvery: number) => {
        for (const w of world.windows) {
          if (offline.has(w)) continue;
          const caseNo = `${prefix}-${String(++caseN).padStart(4, '0')}`;
          if (caseN % leaveEvery === 0) walkAway.add(caseNo);
          const r = await world.postCase(w, caseNo);
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          caseNos.push(caseNo);
        }
        await sleep(2500);
      };
      const day0 = (async () => {
        for (let k = 0; k < 5; k++) await round('LF-D0', 4);
        // Two windows lose their network once their case is on screen; the citizen rates in time,
        // offline; the rating reaches the gateway only after the deadline and the default.
        for (const w of world.windows.slice(0, 2)) {
          const caseNo = `LF-D0-LATE-${w.number}`;
          caseNos.push(caseNo);
          notYet.add(caseNo);
          await world.postCase(w, caseNo);
          await waitFor(async () => !w.down && (await w.device!.api('GET', '/api/state').catch(() => ({ body: null }))).body?.invitation?.caseNo === caseNo, {
            what: `${caseNo} on screen`,
            stallMs: 60_000,
          });
          w.proxy.cutNetwork();
          offline.add(w);
          notYet.delete(caseNo);
          await waitFor(() => confirmed.find((c) => c.caseNo === caseNo), { what: `${caseNo} rated offline`, stallMs: 60_000 });
          note('window offline through the deadline');
        }
        for (let k = 0; k < 2; k++) await round('LF-D0', 4);
      })();
      await chaos(40_000, [
        { at: 0.15, act: cutAll },
        { at: 0.25, act: gatewayKill },
        { at: 0.35, act: province({ mode: 'timeout-after-commit', count: 3 }, 'province answers lost after commit') },
        { at: 0.45, act: province({ downtime: [{ from: world.now(), to: world.now() + 6000 }] }, 'province outage') },
        { at: 0.6, act: gatewayKill },
        { at: 0.7, act: province({ mode: '5xx', count: 4 }, 'province 5xx') },
        { at: 0.8, act: cutAll },
      ]);
      await day0;
      // Let the day's ratings reach the gateway before the clock moves (those still offline stay offline).
      for (const w of world.windows.filter((x) => !offline.has(x))) {
        await waitFor(async () => (await w.device!.api('GET', '/api/status')).body.backlog === 0, { what: `${w.deviceId} drained`, stallMs: 60_000 });
      }

      // ---- Ten days later: every case still open gets its R7 default.
      world.advance(JUMP);
      day = 10;
      await waitFor(
        async () => {
          const states = await Promise.all(caseNos.map(async (c) => (await world.businessCall('GET', `/api/cases/${c}`)).body.state));
          return states.every((s) => s === 'rated' || s === 'defaulted');
        },
        { what: 'every open case defaulted', stallMs: 60_000 },
      );
      // The offline windows come back once their cases' defaults are at the province: their
      // ratings, pressed in time, must replace them there (a correction, not a second first rating).
      for (const w of offline)
        await waitFor(() => world.sim.caseView(`LF-D0-LATE-${w.number}`).first?.record.isDefault === 1, {
          what: `default of LF-D0-LATE-${w.number} at the province`,
          stallMs: 60_000,
        });
      for (const w of offline) w.proxy.restore();
      offline.clear();
      note('late in-time ratings delivered');

      // ---- Day 10: citizens come back for 追加评价; one device is wiped and enrolled again; more chaos.
      const defaulted: string[] = [];
      const ratedCases: string[] = [];
      for (const c of caseNos) ((await world.businessCall('GET', `/api/cases/${c}`)).body.state === 'defaulted' ? defaulted : ratedCases).push(c);
      walkAway.clear();
      const reinvite = [...defaulted.slice(0, 6), ...ratedCases.slice(0, 4)];
      const day10 = (async () => {
        for (const caseNo of reinvite) {
          const r = await world.businessCall('POST', `/api/cases/${caseNo}/invite`);
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          await waitFor(() => confirmed.find((c) => c.caseNo === caseNo && c.day === 10) ?? (r.body.delivery === 'refused' ? true : null), {
            what: `追加 for ${caseNo}`,
            stallMs: 60_000,
          }).catch(() => note('a 追加 invitation not rated'));
        }
        const victim = world.windows[WINDOWS - 1]!;
        await waitFor(async () => (await victim.device!.api('GET', '/api/status')).body.backlog === 0, { what: 'backlog before the wipe', stallMs: 60_000 });
        await world.wipe(victim);
        note('device wiped and enrolled again');
        for (let k = 0; k < 2; k++) await round('LF-D10', 1000);
      })();
      await chaos(25_000, [
        { at: 0.3, act: gatewayKill },
        { at: 0.5, act: cutAll },
        { at: 0.7, act: province({ mode: 'timeout-after-commit', count: 2 }, 'province answers lost after commit') },
      ]);
      await day10;
      stopCitizens = true;
      await Promise.all(citizens);
      world.sim.setFault({ mode: 'none', downtime: [] });

      // ---- Settle: every device drained, the uplink empty.
      for (const w of world.windows) await waitFor(async () => (await w.device!.api('GET', '/api/status')).body.backlog === 0, { what: `${w.deviceId} drained`, stallMs: 60_000 });
      const gatewayDb = join(world.dir, 'gw', 'data', 'gateway.db');
      await waitFor(
        () => {
          const db = new Database(gatewayDb, { readonly: true });
          try {
            const open = db.prepare("SELECT count(*) AS n FROM uplink_outbox WHERE state = 'pending'").get() as { n: number };
            const logged = db.prepare('SELECT max(seq) AS s FROM assessment_log').get() as { s: number };
            const cursor = db.prepare("SELECT position FROM cursors WHERE name = 'uplink'").get() as { position: number } | undefined;
            return open.n === 0 && cursor?.position === logged.s && (db.prepare('SELECT count(*) AS n FROM uplink_held').get() as { n: number }).n === 0;
          } finally {
            db.close();
          }
        },
        { what: 'uplink drained', stallMs: 60_000 },
      );
      const deadLetters = (await world.gw.api('GET', '/api/uplink/dead-letters')).body as { total: number };
      expect(deadLetters.total).toBe(0);
      await world.stopProcesses();

      // ---- What the gateway holds: every confirmed rating exactly once; every chain verifies.
      const db = new Database(gatewayDb, { readonly: true });
      const rows = db.prepare('SELECT device_id, epoch, seq, id, at_corrected, body FROM records ORDER BY device_id, epoch, seq').all() as Array<{
        device_id: string;
        epoch: number;
        seq: number;
        id: string;
        at_corrected: string;
        body: string;
      }>;
      const ids = new Set(rows.map((r) => r.id));
      expect(ids.size).toBe(rows.length);
      for (const c of confirmed) expect(ids.has(c.ratingId), `confirmed rating ${c.ratingId} of ${c.deviceId} missing at the gateway`).toBe(true);
      let chains = 0;
      for (const w of world.windows) {
        for (const [k, keyFile] of w.keyFiles.entries()) {
          const chain = rows.filter((r) => r.device_id === w.deviceId && r.epoch === k + 1).map((r) => JSON.parse(r.body) as ChainRecord);
          expect(verifyChain(chain, createPublicKey(createPrivateKey(readFileSync(keyFile))), { signatures: 'all', deviceId: w.deviceId }), `${w.deviceId} epoch ${k + 1}`).toEqual(
            [],
          );
          chains++;
        }
      }
      const caseRows = db.prepare('SELECT case_no, deadline_date, state FROM cases').all() as Array<{ case_no: string; deadline_date: string; state: string }>;
      const deadlineEnd = new Map(caseRows.map((c) => [c.case_no, Date.parse(`${c.deadline_date}T00:00:00+08:00`) + DAY]));
      const stillOpen = new Set(caseRows.filter((c) => c.state === 'open').map((c) => c.case_no));
      db.close();

      // ---- What the province holds, against what the devices stored.
      const records = rows.map((r) => ({ ...r, rec: JSON.parse(r.body) as ChainRecord }));
      const ratingsOf = (caseNo: string) => records.filter((r) => r.rec.kind === 'rating' && (r.rec as RatingRecord).invitation.caseNo === caseNo);
      const detailOf = (ratingId: string) => records.find((r) => r.rec.kind === 'detail' && (r.rec as DetailRecord).ratingId === ratingId)?.rec as DetailRecord | undefined;
      const tally = { cases: caseNos.length, open: 0, realFirst: 0, defaults: 0, correctedDefaults: 0, followUps: 0, withDetails: 0, amendments: world.sim.counts().amendments };
      for (const caseNo of caseNos) {
        const view = world.sim.caseView(caseNo);
        const all = ratingsOf(caseNo);
        const inTime = all.filter((r) => Date.parse(r.at_corrected) < deadlineEnd.get(caseNo)!);
        const late = all.filter((r) => Date.parse(r.at_corrected) >= deadlineEnd.get(caseNo)!);
        expect(inTime.length, `${caseNo}: at most one rating in time`).toBeLessThanOrEqual(1);
        if (stillOpen.has(caseNo)) {
          // Announced on day 10, not rated (yet), its deadline days away: nothing at the province.
          expect(all, `${caseNo}: open, so unrated`).toEqual([]);
          expect(view.first, `${caseNo}: open, so nothing at the province`).toBeNull();
          tally.open++;
          continue;
        }
        expect(view.first, `${caseNo}: exactly one first rating`).not.toBeNull();
        const first = inTime[0];
        if (first) {
          const r = first.rec as RatingRecord;
          expect(view.first!.assessId, `${caseNo}: the real rating is the first`).toBe(r.id);
          expect(view.first!.record).toMatchObject({ satisfaction: r.level, isDefault: 0, pf: 4, assessNumber: 1 });
          tally.realFirst++;
          if (view.history.some((h) => h.record.isDefault === 1)) tally.correctedDefaults++;
          const d = detailOf(r.id);
          expect(view.first!.record.evalDetail, `${caseNo}: its details`).toBe(d ? d.reasons.join(',') : '');
          if (d) tally.withDetails++;
        } else {
          expect(view.first!.record, `${caseNo}: the default`).toMatchObject({ satisfaction: 3, isDefault: 1, pf: 7, assessNumber: 1 });
          tally.defaults++;
        }
        expect(view.followUps.map((f) => f.assessId).sort(), `${caseNo}: its 追加评价`).toEqual(late.map((r) => r.id).sort());
        for (const f of view.followUps) {
          const r = late.find((x) => x.id === f.assessId)!.rec as RatingRecord;
          expect(f.record).toMatchObject({ satisfaction: r.level, assessNumber: expect.any(Number) });
          expect(f.record.assessNumber).toBeGreaterThanOrEqual(2);
          tally.followUps++;
        }
      }
      expect(tally.correctedDefaults).toBeGreaterThanOrEqual(2);
      expect(tally.followUps).toBeGreaterThanOrEqual(5);
      expect(tally.defaults).toBeGreaterThan(0);
      console.log(
        `press→province drill: ${WINDOWS} devices; ${Object.entries(events)
          .map(([k, v]) => `${v}× ${k}`)
          .join(', ')}.\n` +
          `  ${confirmed.length} ratings confirmed on devices, ${rows.length} records at the gateway, each once; ${chains} chains verify.\n` +
          `  ${tally.cases} cases (${tally.open} still open, within their deadline): ${tally.realFirst} first ratings from citizens (${tally.correctedDefaults} replaced a default they beat), ` +
          `${tally.defaults} R7 defaults, ${tally.followUps} 追加评价, ${tally.withDetails} first ratings with their reasons, ${tally.amendments} details sent as amendments.`,
      );
    } finally {
      await world.stop().catch(() => undefined);
    }
  }, 600_000);
});
