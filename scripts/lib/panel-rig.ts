/**
 * A device program on a real SQLite file with a virtual panel plugged in (the real firmware in
 * simavr, hardware/virtual-panel.ts), for the hardware-in-the-loop suites and bench:panel. The
 * device program runs in this process so the suites see the runtime's own events (when a rating
 * was committed); the panel worker is its usual child process, the panel the harness process.
 *
 * The panel is found by USB id (2341:0042, an Arduino Mega 2560) through a port lister that sees
 * the virtual panel's current tty: a replug to a new path is found the way a real one is.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { DeviceFileConfigSchema } from '../../device/config/device-config.js';
import type { RatingLevel } from '../../device/contract/index.js';
import { DeviceProgram } from '../../device/device-program.js';
import { createHardwareInputs } from '../../device/hardware/index.js';
import type { ListedPort } from '../../device/hardware/port-discovery.js';
import { VirtualPanel, type VirtualPanelOptions } from '../../hardware/virtual-panel.js';
import { deviceConfig, DEMO_STAFF } from './device-process.js';
import { waitUntil } from './wait-until.js';

export { waitUntil };

export const PANEL_USB = { vendorId: '2341', productId: '0042' } as const;
/** How long a badge rests on the reader in a tap, and the firmware's card-removal time. */
const TAP_MS = 250;
const CARD_REMOVE_MS = 600;

export interface PanelRigOptions {
  dir: string;
  deviceId?: string;
  firmware?: VirtualPanelOptions['firmware'];
  /** `panel`: the reader hangs off the panel (hcp-panel); `serial`: its own USB serial device at `nfcPath`. */
  nfc?: { mode: 'panel' } | { mode: 'serial'; path: string };
  /** Other USB serial devices the lister reports besides the panel. */
  otherPorts?: () => ListedPort[];
  heartbeatMs?: number;
  logger?: Logger;
}

/** A committed rating as the runtime announced it, with the wall time (µs) it was committed at. */
export interface Commit {
  level: RatingLevel;
  seq: number;
  wallUs: number;
  /** How many of the panel's pin changes had arrived by then (what the panel showed before the commit). */
  pinEventsBefore: number;
}

export const wallUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

export class PanelRig {
  readonly panel: VirtualPanel;
  readonly program: DeviceProgram;
  readonly dataDir: string;
  readonly commits: Commit[] = [];
  private cardGoneAt = 0;

  constructor(o: PanelRigOptions) {
    mkdirSync(o.dir, { recursive: true });
    // Each plug a new tty name (ttyACM1, ttyACM2 …), so discovery by USB id is what finds it.
    this.panel = new VirtualPanel({ firmware: o.firmware ?? 'hcp-panel', linkPath: (plug) => join(o.dir, `ttyACM${plug}`) });
    const nfc = o.nfc ?? { mode: 'panel' };
    const config = DeviceFileConfigSchema.parse(
      deviceConfig({
        deviceId: o.deviceId ?? 'dev-panel',
        dir: o.dir,
        config: {
          logLevel: 'silent',
          hardware: {
            panel: { usb: PANEL_USB, firmware: o.firmware === 'standard-firmata' ? 'standard-firmata' : 'hcp-panel' },
            nfc,
            reconnect: { initialMs: 50, maxMs: 400 },
          },
        },
      }),
    );
    this.dataDir = config.dataDir;
    const listPorts = async (): Promise<ListedPort[]> => [
      ...(o.otherPorts?.() ?? []),
      ...(this.panel.path ? [{ path: this.panel.path, ...PANEL_USB, manufacturer: 'Arduino (www.arduino.cc)' }] : []),
    ];
    const logger = o.logger ?? pino({ level: process.env.HCP_TEST_LOG ?? 'silent' });
    this.program = new DeviceProgram(config, logger, {
      hardware: (deps) => createHardwareInputs(deps, { listPorts, ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}) }),
    });
  }

  get runtime() {
    return this.program.runtime!;
  }

  /** Power the panel, start the device program, and wait for the panel link. */
  async start(): Promise<void> {
    await this.panel.start();
    await this.program.start();
    this.runtime.events.on('rating-committed', (e) => this.commits.push({ level: e.level, seq: e.seq, wallUs: wallUs(), pinEventsBefore: this.panel.pinEvents.length }));
    if (!(await waitUntil(() => this.panelConnected(), 20_000))) throw new Error('the panel never connected');
  }

  async stop(): Promise<void> {
    await this.program.stop();
    await this.panel.stop();
  }

  panelConnected(): boolean {
    return this.runtime.view().connection.panel === 'connected';
  }

  staffOnDuty(): boolean {
    return this.runtime.view().staff !== null;
  }

  armed(): boolean {
    return this.runtime.view().screen === 'armed';
  }

  /**
   * Tap the demo staff's badge on the panel's reader and wait until the login state flips. A tap
   * sooner than the reader's removal time after the last one would be the same card still held
   * (firmware RDM6300_REMOVE_MS), so it waits that out first, as a person walking up would.
   */
  async tapBadge(uid = DEMO_STAFF.badgeUids[0]!): Promise<boolean> {
    const wait = this.cardGoneAt + CARD_REMOVE_MS + 50 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const before = this.staffOnDuty();
    await this.panel.card(uid, TAP_MS);
    this.cardGoneAt = Date.now() + TAP_MS;
    return waitUntil(() => this.staffOnDuty() !== before, 3000);
  }

  /** "Please rate" on the panel (after the previous press is let go) and wait until armed. */
  async pleaseRate(): Promise<boolean> {
    await this.panel.settle();
    await this.panel.press('rate', 60);
    return waitUntil(() => this.armed(), 3000);
  }

  /** Press a level and wait for its rating to be committed; the commit, or null if none came. */
  async rate(level: RatingLevel, timeoutMs = 3000): Promise<Commit | null> {
    const count = this.commits.length;
    await this.panel.settle();
    await this.panel.press(String(level) as '1' | '2' | '3' | '4' | '5', 80);
    return (await waitUntil(() => this.commits.length > count, timeoutMs)) ? this.commits[count]! : null;
  }
}
