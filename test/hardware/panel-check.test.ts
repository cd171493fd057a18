/**
 * `npm run panel:check` against the virtual panel, as a technician runs it on a freshly wired panel:
 * it names the firmware, lights every LED in turn and beeps, then reports each button and badge.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { VirtualPanel, type PanelButton } from '../../hardware/virtual-panel.js';

async function runCheck(panel: VirtualPanel, act: () => Promise<void>): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'device/cli/panel-check.ts'), '--path', panel.pty!, '--seconds', '4'], { cwd: REPO_ROOT });
  const lines: string[] = [];
  let acted: Promise<void> = Promise.resolve();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line.startsWith('press every button')) acted = act();
  });
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  await acted;
  return { code, lines };
}

describe('panel:check on the virtual panel', () => {
  const panel = new VirtualPanel();
  beforeAll(() => panel.start());
  afterAll(() => panel.stop());

  it('lamp test lights each LED and the buzzer; every button and the badge are reported', async () => {
    const buttons: PanelButton[] = ['5', '4', '3', '2', '1', 'rate'];
    // Played in the panel's time (one script), so the presses keep their spacing and fit the
    // check's listening window whatever the load on the host.
    const { code, lines } = await runCheck(panel, () => panel.script([...buttons.flatMap((b) => [`press ${b} 60`, 'wait 120']), 'card 0A1B2C3D4E 200']));
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^board: hcp-panel 1\.0 \(Firmata 2\.6\)$/);
    for (const led of ['led5', 'led4', 'led3', 'led2', 'led1', 'led-rate', 'buzzer']) {
      expect(
        panel.pinEvents.some((e) => e.name === led && e.value === 1),
        led,
      ).toBe(true);
    }
    expect(lines).toContain('button 5 非常满意 (D22) pressed');
    expect(lines).toContain('button 1 非常不满意 (D26) pressed');
    expect(lines).toContain('button please rate 请评价 (D27) released');
    expect(lines).toContain('badge 0A1B2C3D4E');
    expect(lines).toContain('every button was pressed');
  });
});
