/**
 * The demo hall's window with a physical panel: a virtual panel (the real firmware in simavr)
 * plugged into that window's device by a fixed tty link, as hall IT would configure a
 * /dev/serial/by-id/… path. The staff taps in with the badge on the panel's reader, then citizens
 * are served through the panel's buttons: "please rate", and a level a moment later. Typing at the
 * demo's terminal presses the buttons by hand.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { VirtualPanel, type PanelButton } from '../../hardware/virtual-panel.js';
import type { RunningDevice } from './device-process.js';

/** Mostly good ratings, some bad: the hall's daily mix. */
const MIX: Array<[PanelButton, number]> = [
  ['5', 0.6],
  ['4', 0.25],
  ['3', 0.09],
  ['2', 0.04],
  ['1', 0.02],
];

function pickLevel(): PanelButton {
  let r = Math.random();
  for (const [level, p] of MIX) if ((r -= p) < 0) return level;
  return '5';
}

export class DemoPanel {
  readonly panel: VirtualPanel;
  readonly linkPath: string;
  private timer: NodeJS.Timeout | null = null;
  auto = true;

  constructor(
    dir: string,
    private readonly badgeUid: string,
    private readonly everyMs = 12_000,
  ) {
    this.linkPath = join(dir, 'ttyACM-panel');
    // The demo runs for hours: the LEDs' current state is enough, not every blink since power-on.
    this.panel = new VirtualPanel({ linkPath: this.linkPath, keepEvents: false });
  }

  /** The device's `hardware` config section for this panel. */
  hardwareConfig(): Record<string, unknown> {
    return { panel: { path: this.linkPath, firmware: 'hcp-panel' }, nfc: { mode: 'panel' } };
  }

  async start(): Promise<void> {
    await this.panel.start();
  }

  /** Staff taps in once the device knows the roster, then citizens come every `everyMs`. */
  async serve(device: RunningDevice): Promise<void> {
    const state = async () => (await device.api('GET', '/api/state')).body as { staff: unknown; connection: { panel: string } };
    for (let i = 0; i < 60; i++) {
      const now = await state();
      if (now.staff !== null) break;
      if (now.connection.panel === 'connected') await this.panel.card(this.badgeUid, 250);
      await new Promise((r) => setTimeout(r, 1000));
    }
    this.timer = setInterval(() => {
      if (this.auto) void this.citizen().catch(() => {});
    }, this.everyMs);
  }

  /** Keys at the demo's terminal: 1-5 a level, r please-rate, b the badge, a auto on/off. */
  listenToKeyboard(input: NodeJS.ReadableStream, say: (line: string) => void): void {
    createInterface({ input }).on('line', (line) => {
      const key = line.trim();
      const act = /^[1-5]$/.test(key)
        ? this.panel.press(key as PanelButton, 120)
        : key === 'r'
          ? this.panel.press('rate', 120)
          : key === 'b'
            ? this.panel.card(this.badgeUid, 250)
            : key === 'a'
              ? Promise.resolve(void (this.auto = !this.auto))
              : null;
      if (!act) return say('panel keys: 1-5 press a level, r please rate, b badge tap, a simulated citizens on/off');
      void act.then(() => say(key === 'a' ? `simulated citizens ${this.auto ? 'on' : 'off'}` : 'pressed')).catch((err: Error) => say(err.message));
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.panel.stop();
  }

  private async citizen(): Promise<void> {
    await this.panel.press('rate', 120);
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2000));
    await this.panel.press(pickLevel(), 150);
  }
}
