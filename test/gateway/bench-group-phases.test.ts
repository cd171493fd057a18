/**
 * docs/POSTGRES.md, "Where a group's time goes": pg-backlog-probe.ts prints, for each push, a
 * group's mean time by phase, read from the gateway's /metrics before and after
 * (scripts/bench/pg-throughput.ts groupPhases, groupPhasesText). A real gateway stores one batch
 * between the two readings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { GROUP_PHASES } from '../../gateway/ingest/group-phases.js';
import { groupPhases, groupPhasesText } from '../../scripts/bench/pg-throughput.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

it("prints a group's mean time by phase between two readings of /metrics, and says so when no group committed", async () => {
  const at = { http: gw.httpUrl };
  const before = await groupPhases(at);
  expect(Object.keys(before.seconds)).toEqual([...GROUP_PHASES]);
  expect(groupPhasesText(before, await groupPhases(at))).toBe('no group committed');

  const dev = new ScriptedDevice('dev-phases-text', 'w-01', gw.httpUrl);
  await dev.enrol((await gw.enrolment.registerDevice('dev-phases-text', 'w-01')).code);
  await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  await dev.send([dev.rating(5), dev.rating(2)]);
  const after = await groupPhases(at);
  expect(after.groups - before.groups).toBe(1);
  const text = groupPhasesText(before, after);
  expect(text).toMatch(new RegExp(`^${GROUP_PHASES.map((p) => `${p} \\d+\\.\\d\\d`).join(', ')}; \\d+\\.\\d\\d in all, over 1 group$`));
  // The phases add up to the total it prints.
  const parts = [...text.matchAll(/[a-z-]+ (\d+\.\d\d)/g)].map((m) => Number(m[1]));
  const total = Number(/; (\d+\.\d\d) in all/.exec(text)![1]);
  expect(Math.abs(parts.reduce((s, x) => s + x, 0) - total)).toBeLessThan(0.05);
  expect(total).toBeGreaterThan(0);
  await dev.close();
});
