/**
 * A press that reaches a busy device (issue 10: "a press the panel reported can vanish"). The
 * firmware debounces every button and numbers each edge it reports; when the host is busy for a
 * moment (garbage collection, a slow disk, load), a press's down and up BUTTON_EVENTs wait in the
 * tty and are read together. Every press the firmware reports must then still become a rating, or
 * the runtime's logged refusal (not armed) — never nothing; and a press lost on the line (its
 * BUTTON_EVENT missing from the sequence) is logged.
 *
 * The real firmware in simavr, a real device program on SQLite, its panel worker stopped (SIGSTOP)
 * while the panel is pressed and released, so both edges arrive in one read.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PanelRig, waitUntil } from '../../scripts/lib/panel-rig.js';
import type { PanelButton } from '../../hardware/virtual-panel.js';
import { countEvents } from './device-events.js';
import { panelWorkerPid, whileStopped } from './stalled-process.js';

/** The device program's log lines, as hall IT would read them. */
const logs: Array<{ msg?: string; part?: string }> = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

describe('a press whose down and up edges reach a busy device together', () => {
  // No heartbeat during the suite: its version answers would be the only other bytes on the line,
  // and the lost-event case below drops an exact number of them.
  const rig = new PanelRig({ dir: mkdtempSync(join(tmpdir(), 'hcp-busy-')), logger, heartbeatMs: 600_000 });
  let worker = 0;
  const ratings = () => rig.commits.length;

  beforeAll(async () => {
    await rig.start();
    worker = panelWorkerPid() ?? 0;
    if (!worker) throw new Error('no panel worker process found');
    if (!(await rig.tapBadge())) throw new Error('the badge did not log in');
  });
  afterAll(() => rig.stop());

  /** Press and release while the worker is stopped, until the firmware has sent both edges. */
  async function pressWhileBusy(button: PanelButton, ms = 80): Promise<void> {
    await rig.panel.settle();
    await whileStopped(worker, async () => {
      await rig.panel.press(button, ms);
      await rig.panel.wait(ms + 50); // released, debounced (5 ms), both BUTTON_EVENTs in the tty
    });
  }

  it('armed: the press is one rating', async () => {
    expect(await rig.pleaseRate()).toBe(true);
    const before = ratings();
    await pressWhileBusy('2');
    expect(await waitUntil(() => ratings() > before, 3000), 'a rating from the press').toBe(true);
    expect(rig.commits.slice(before).map((c) => c.level)).toEqual([2]);
  });

  it("not armed: the press is the runtime's logged refusal", async () => {
    const refused = countEvents(rig.dataDir, 'press-not-armed');
    await pressWhileBusy('4');
    expect(await waitUntil(() => countEvents(rig.dataDir, 'press-not-armed') === refused + 1, 3000), 'a press-not-armed event').toBe(true);
  });

  it('a button held for seconds is one press', async () => {
    expect(await rig.pleaseRate()).toBe(true);
    const before = ratings();
    const refused = countEvents(rig.dataDir, 'press-not-armed');
    await rig.panel.press('5', 1500);
    await rig.panel.settle();
    // "Please rate" travels the same way behind anything the held button set off.
    expect(await rig.pleaseRate()).toBe(true);
    expect(rig.commits.slice(before).map((c) => c.level)).toEqual([5]);
    expect(countEvents(rig.dataDir, 'press-not-armed')).toBe(refused);
  });

  it('a press whose BUTTON_EVENT is lost on the line is logged; the next press rates', async () => {
    expect(rig.armed()).toBe(true);
    const before = ratings();
    await rig.panel.settle();
    await rig.panel.hostDrop(7); // F0 0E pin level seq crc F7: the down edge of the press below
    await rig.panel.press('3', 80);
    expect(await waitUntil(() => logs.some((l) => l.part === 'panel' && /press.*lost/.test(l.msg ?? '')), 3000), 'a log line for the lost press').toBe(true);
    expect(ratings()).toBe(before);
    expect((await rig.rate(3))?.level).toBe(3);
  });
});
