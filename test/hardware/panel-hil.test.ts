/**
 * Hardware in the loop (issue 5): the real hcp-panel firmware in simavr, its USB link a pty, found
 * by USB id; a real device program on a real SQLite file; the panel worker driving the board with
 * johnny-five. A badge tap logs the staff in, "please rate" arms the device, button 5 stores a
 * 非常满意 rating, and its LED lights only after the commit; a press while not armed stores nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PanelRig, waitUntil } from '../../scripts/lib/panel-rig.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { countEvents } from './device-events.js';

const ratings = (rig: PanelRig) => readDeviceRecords(rig.dataDir).filter((r) => r.kind === 'rating');

describe('rating panel in the loop: firmware in simavr → johnny-five → device runtime', () => {
  const rig = new PanelRig({ dir: mkdtempSync(join(tmpdir(), 'hcp-hil-')) });
  beforeAll(() => rig.start());
  afterAll(() => rig.stop());

  it('a press while not armed stores nothing and lights nothing', async () => {
    await rig.panel.press('3', 80);
    expect(await waitUntil(() => countEvents(rig.dataDir, 'press-not-armed') === 1, 3000)).toBe(true);
    expect(ratings(rig)).toHaveLength(0);
    expect(rig.panel.pinEvents.filter((e) => e.name === 'led3' && e.value === 1)).toHaveLength(0);
  });

  it('badge tap logs in; please-rate arms and blinks; button 5 stores 非常满意, its LED lit after the commit', async () => {
    expect(await rig.tapBadge()).toBe(true);
    expect(rig.runtime.view().staff?.name).toBe('张晓梅');

    await rig.panel.press('rate', 80);
    expect(await waitUntil(() => rig.armed(), 3000)).toBe(true);
    // The please-rate LED blinks while armed: it goes on and off again.
    expect(await waitUntil(() => rig.panel.pinEvents.filter((e) => e.name === 'led-rate').length >= 3, 3000)).toBe(true);

    const commit = await rig.rate(5);
    expect(commit?.level).toBe(5);
    const stored = ratings(rig);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'rating', level: 5, channel: 'device-button', staffId: 's-001' });
    expect(stored[0]!.kind === 'rating' && stored[0]!.invitation.source).toBe('staff');

    // The press reached the panel ~15 ms before the commit (debounce, link, johnny-five), and until
    // the commit no LED or buzzer had come on; then LED 5 lights and the buzzer beeps. (Order by
    // arrival, not by comparing two processes' clocks to the microsecond.)
    const pressed = rig.panel.buttonEvents.filter((e) => e.name === '5' && e.down).at(-1)!;
    expect(pressed.wall_us).toBeLessThan(commit!.wallUs);
    const beforeCommit = rig.panel.pinEvents.slice(0, commit!.pinEventsBefore);
    expect(beforeCommit.filter((e) => (e.name === 'led5' || e.name === 'buzzer') && e.value === 1)).toEqual([]);
    const afterCommit = () => rig.panel.pinEvents.slice(commit!.pinEventsBefore);
    expect(await waitUntil(() => afterCommit().some((e) => e.name === 'led5' && e.value === 1), 2000)).toBe(true);
    expect(await waitUntil(() => afterCommit().some((e) => e.name === 'buzzer' && e.value === 1), 2000)).toBe(true);
    // Please-rate stops blinking.
    expect(await waitUntil(() => rig.panel.output('led-rate') === 0, 2000)).toBe(true);
  });

  it('一次一评: a second press after the rating stores nothing more', async () => {
    await rig.panel.press('1', 80);
    expect(await waitUntil(() => countEvents(rig.dataDir, 'press-not-armed') === 2, 3000)).toBe(true);
    expect(ratings(rig)).toHaveLength(1);
  });

  it('badge tap again logs out and puts every LED out', async () => {
    expect(await rig.tapBadge()).toBe(true);
    expect(rig.staffOnDuty()).toBe(false);
    expect(await waitUntil(() => ['led5', 'led4', 'led3', 'led2', 'led1', 'led-rate'].every((n) => rig.panel.output(n as 'led5') === 0), 2000)).toBe(true);
  });
});
