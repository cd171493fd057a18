/**
 * Where the panel worker's johnny-five Buttons get their pin levels from. Each button is a real
 * `five.Button` (its press/release/hold logic and debounce) with a custom controller, the way
 * johnny-five takes other input sources (its EVS and TinkerKit controllers). Either way, a press
 * is an edge seen on this link: a button already down when the link comes up is no press.
 *
 * - hcp-panel: the firmware's BUTTON_EVENT sysex (panel-sysex.ts), one per debounced edge,
 *   CRC-checked and numbered. A Firmata port report has no check: one garbled byte on the USB line
 *   reads as a port full of pressed buttons. Line noise can lose a press (the citizen presses
 *   again) but never make one.
 * - A plain board with StandardFirmata: Firmata's digital port reports, with the pull-ups checked
 *   (PIN_STATE_QUERY) and set where missing before any report is asked for. Old StandardFirmata
 *   (protocol 2.3, no PULLUP mode) takes a pull-up as INPUT then a HIGH write, drops it again on
 *   every INPUT request and on any port write with that bit low. So a pin already pulled up is
 *   left alone (re-sending INPUT would let it float for a moment: a phantom press), and the
 *   buttons' bits in firmata.js's port cache are held high, or an LED write on the same port
 *   would leave a button floating.
 */
import type { Logger } from 'pino';
import type { Firmata } from 'firmata-io';
import { BUTTON_EVENT_SYSEX, decodeButtonEvent } from './panel-sysex.js';

type RawListener = (level: number) => void;
export type ButtonController = Record<string, { value: unknown; writable?: boolean }>;

export interface ButtonSource {
  /** Hear the pin's level at each edge (0 = pressed). */
  watch(pin: number, onLevel: RawListener): void;
  /** Repair what line noise may have changed on the board; call now and then (the heartbeat). */
  reassert(): void;
}

/**
 * The source for the board on this link, by the firmware it reports: hcp-panel's checked events,
 * or port reports with the pull-ups made sure of first. `onRefused` hears each malformed event.
 */
export async function openButtonSource(io: Firmata, pins: readonly number[], log: Logger, onRefused: (problem: string) => void): Promise<ButtonSource> {
  if (io.firmware.name === 'hcp-panel') {
    const checked = new CheckedButtonEvents(io, log);
    checked.listen(onRefused);
    return checked;
  }
  const reported = new ReportedButtons(io, pins);
  await reported.prepare();
  return reported;
}

/** A johnny-five Button controller over a source (pass as `controller` to `new five.Button`). */
export function buttonController(source: ButtonSource): ButtonController {
  return controllerFrom((pin, onLevel) => source.watch(pin, onLevel));
}

/** firmata.js internals this module reads or sets (not in johnny-five.d.ts: used only here). */
interface FirmataPorts {
  ports: number[];
  pins: Array<{ supportedModes?: number[]; mode?: number; state?: number }>;
  queryPinState(pin: number, cb: () => void): void;
  flushDigitalPorts(): void;
  digitalRead(pin: number, cb: (value: number) => void): void;
}

function controllerFrom(attach: (pin: number, onLevel: RawListener) => void): ButtonController {
  return {
    initialize: {
      value(this: { pin: number }, options: { pinValue?: number; pin: number }, callback: RawListener) {
        this.pin = Number(options.pinValue ?? options.pin);
        attach(this.pin, callback);
      },
    },
    toBoolean: {
      writable: true,
      value(this: { downValue: number }, raw: number) {
        return raw === this.downValue;
      },
    },
  };
}

/** hcp-panel: levels from BUTTON_EVENT. */
export class CheckedButtonEvents implements ButtonSource {
  private readonly listeners = new Map<number, RawListener>();
  private lastSeq: number | null = null;
  /** Events missing from the sequence (lost on the line). */
  missed = 0;

  constructor(private readonly io: Firmata, private readonly log: Logger) {}

  /** Start listening; `onRefused` hears each malformed event (the device log counts them). */
  listen(onRefused: (problem: string) => void): void {
    this.io.sysexResponse(BUTTON_EVENT_SYSEX, (payload) => {
      const e = decodeButtonEvent(payload);
      if ('problem' in e) return onRefused(e.problem);
      if (this.lastSeq !== null && e.seq !== ((this.lastSeq + 1) & 0x7f)) {
        this.missed += (e.seq - this.lastSeq - 1 + 128) & 0x7f;
        this.log.warn({ missed: this.missed }, 'button events lost on the line');
      }
      this.lastSeq = e.seq;
      this.listeners.get(e.pin)?.(e.level);
    });
  }

  watch(pin: number, onLevel: RawListener): void {
    this.io.pinMode(pin, this.io.MODES.PULLUP!);
    this.listeners.set(pin, onLevel);
  }

  /** Nothing to repair: hcp-panel refuses to take a button pin off its pull-up, and reports every edge whatever the host asked. */
  reassert(): void {}
}

/** StandardFirmata: levels from digital port reports. */
export class ReportedButtons implements ButtonSource {
  private readonly io: Firmata & FirmataPorts;

  constructor(io: Firmata, private readonly pins: readonly number[], private readonly queryTimeoutMs = 2000) {
    this.io = io as Firmata & FirmataPorts;
    // Hold the buttons' cached bits high from the start and whatever a report said (see the header).
    for (const pin of pins) this.io.ports[pin >> 3]! |= 1 << (pin & 7);
    this.io.on('digital-read', ({ pin }: { pin: number }) => {
      if (this.pins.includes(pin)) this.io.ports[pin >> 3]! |= 1 << (pin & 7);
    });
  }

  /** Pull-ups on every button pin, and a round trip so the board has applied them. */
  async prepare(): Promise<void> {
    await Promise.all(this.pins.map((pin) => this.checkPullup(pin)));
    await new Promise<void>((res) => this.io.reportVersion(res));
  }

  /** Repair what line noise may have changed on the board (modes, pull-ups), and keep reports on. */
  reassert(): void {
    for (const pin of this.pins) {
      void this.checkPullup(pin);
      this.io.reportDigitalPin(pin, 1);
    }
  }

  watch(pin: number, onLevel: RawListener): void {
    // Released until a report says otherwise (old StandardFirmata sends nothing until a change).
    let last = 1;
    this.io.digitalRead(pin, (level) => {
      if (level === last) return; // a report of the port for another pin's sake
      last = level;
      onLevel(level);
    });
  }

  /** Ask the board for the pin's mode and written state; set the pull-up only if it is not on. */
  private async checkPullup(pin: number): Promise<void> {
    const answered = await new Promise<boolean>((res) => {
      const timer = setTimeout(() => res(false), this.queryTimeoutMs);
      this.io.queryPinState(pin, () => {
        clearTimeout(timer);
        res(true);
      });
    });
    const { mode, state } = this.io.pins[pin] ?? {};
    const PULLUP = this.io.MODES.PULLUP!;
    const INPUT = this.io.MODES.INPUT!;
    if (answered && (mode === PULLUP || (mode === INPUT && state === 1))) return;
    const native = this.io.pins[pin]?.supportedModes?.includes(PULLUP) ?? false;
    this.io.pinMode(pin, native ? PULLUP : INPUT);
    this.io.digitalWrite(pin, 1); // the Firmata 2.3 pull-up (harmless after PULLUP)
  }
}
