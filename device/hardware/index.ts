/**
 * The device's hardware inputs (composed by device/device-program.ts from the `hardware` config
 * section): the rating panel (buttons, LEDs, buzzer, and the NFC reader when it hangs off the
 * panel) through a supervised johnny-five worker, and an RDM6300-style NFC reader on its own USB
 * serial port. Inputs go to the runtime's sink in the order they happened; LEDs follow the
 * runtime's events, never the presses.
 */
import type { DeviceInput, Feature, FeatureDeps, RuntimeEvents } from '../runtime/ports.js';
import { DEFAULT_NFC_USB, DEFAULT_PANEL_USB, parseHardwareSection } from './hardware-config.js';
import { SerialNfcReader } from './nfc/serial-nfc-reader.js';
import { PanelLights } from './panel/panel-lights.js';
import { PanelSupervisor } from './panel/panel-supervisor.js';
import { listSerialPorts, type ListPorts } from './port-discovery.js';

export { HardwareConfigError, HardwareSectionSchema, parseHardwareSection } from './hardware-config.js';

/** Seams for tests (a port lister that sees simulated USB devices). */
export interface HardwareTestSeams {
  listPorts?: ListPorts;
  /** Panel heartbeat period (ms); the default suits a real panel. */
  heartbeatMs?: number;
}

/** Build the hardware feature; throws HardwareConfigError naming the field when the section is bad. */
export function createHardwareInputs(deps: FeatureDeps, seams: HardwareTestSeams = {}): Feature {
  const cfg = parseHardwareSection(deps.section);
  return new HardwareInputs(deps, cfg, seams);
}

export class HardwareInputs implements Feature {
  private readonly panel: PanelSupervisor | null;
  private readonly nfc: SerialNfcReader | null;
  private readonly lights: PanelLights;
  private queue: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    private readonly deps: FeatureDeps,
    cfg: ReturnType<typeof parseHardwareSection>,
    seams: HardwareTestSeams,
  ) {
    const log = deps.logger;
    const listPorts = seams.listPorts ?? listSerialPorts;
    this.panel = !cfg.panel.enabled
      ? null
      : new PanelSupervisor({
          spec: { path: cfg.panel.path, usb: cfg.panel.usb ?? DEFAULT_PANEL_USB, exclude: () => (this.nfc?.openPath ? [this.nfc.openPath] : []) },
          worker: {
            baudRate: cfg.panel.baudRate,
            firmware: cfg.panel.firmware,
            handshakeTimeoutMs: cfg.panel.handshakeTimeoutMs,
            heartbeatMs: seams.heartbeatMs ?? 2000,
            logLevel: log.level,
          },
          listPorts,
          backoff: cfg.reconnect,
          logger: log.child({ part: 'panel' }),
          onReport: (r) => {
            if (r.t === 'press') this.submit({ kind: 'press', level: r.level, source: 'panel' });
            else if (r.t === 'please-rate') this.submit({ kind: 'please-rate', source: 'panel' });
            else this.submit({ kind: 'badge', uid: r.uid, source: 'nfc' });
          },
          onConnection: (state) => deps.runtime.setConnection('panel', state),
          onReady: () => this.lights.resend(),
        });
    this.nfc =
      cfg.nfc.mode === 'serial'
        ? new SerialNfcReader({
            spec: { path: cfg.nfc.path, usb: cfg.nfc.usb ?? DEFAULT_NFC_USB, exclude: () => (this.panel?.openPath ? [this.panel.openPath] : []) },
            baudRate: cfg.nfc.baudRate,
            removeAfterMs: cfg.nfc.removeAfterMs,
            listPorts,
            backoff: cfg.reconnect,
            logger: log.child({ part: 'nfc' }),
            onTap: (uid) => this.submit({ kind: 'badge', uid, source: 'nfc' }),
            onConnection: (state) => deps.runtime.setConnection('reader', state),
          })
        : null;
    this.lights = new PanelLights((cmd) => this.panel?.command(cmd));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const ev = this.deps.runtime.events;
    ev.on('rating-committed', this.onCommitted);
    ev.on('armed', this.onArmed);
    ev.on('disarmed', this.onDisarmed);
    ev.on('staff-logout', this.onLogout);
    // An invitation that survived a restart is still armed: show it.
    if (this.deps.runtime.view().screen === 'armed') this.lights.armed();
    await this.panel?.start();
    await this.nfc?.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const ev = this.deps.runtime.events;
    ev.off('rating-committed', this.onCommitted);
    ev.off('armed', this.onArmed);
    ev.off('disarmed', this.onDisarmed);
    ev.off('staff-logout', this.onLogout);
    this.lights.stop();
    await this.nfc?.stop();
    await this.panel?.stop();
    await this.queue;
  }

  /** Inputs reach the runtime one at a time, in arrival order (please-rate before the press after it). */
  private submit(input: DeviceInput): void {
    this.queue = this.queue
      .then(() => this.deps.sink.submit(input))
      .then((outcome) => {
        // The outcome code only: which level a citizen pressed is not for the log.
        if (!outcome.accepted) this.deps.logger.debug({ kind: input.kind, code: outcome.code }, 'hardware input not taken');
      })
      .catch((err: unknown) => this.deps.logger.error({ err, kind: input.kind }, 'hardware input failed'));
  }

  private readonly onCommitted = (e: RuntimeEvents['rating-committed']) => this.lights.committed(e.level);
  private readonly onArmed = () => this.lights.armed();
  private readonly onDisarmed = (e: RuntimeEvents['disarmed']) => {
    // After a rating the level LED stays lit; the please-rate LED stops either way.
    if (e.reason === 'logout') this.lights.allOff();
    else this.lights.disarmed();
  };
  private readonly onLogout = () => this.lights.allOff();
}
