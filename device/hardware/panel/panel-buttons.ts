/**
 * Where the panel worker's presses come from, by the firmware the board runs. Either way a press is
 * an edge seen on this link: a button already down when the link comes up is no press.
 *
 * - hcp-panel: the firmware's BUTTON_EVENT sysex (panel-sysex.ts), one per edge the board has
 *   debounced (5 ms), CRC-checked and numbered; never Firmata's port reports, which carry no check
 *   (one garbled byte on the USB line reads as a port full of pressed buttons). Each down edge is
 *   one press, taken as it arrives, with no debounce of the host's own: johnny-five's Button
 *   debounces by 7 ms of arrival time, and when a busy host read a press's two edges together it
 *   kept only the release, so the press vanished without a trace (issue 10). A release is never a
 *   press. Line noise can lose a press (the citizen presses again) but never make one, and a loss
 *   is reported (button-event-sequence.ts).
 * - A plain board with StandardFirmata: Firmata's digital port reports, with the pull-ups checked
 *   (PIN_STATE_QUERY) and set where missing before any report is asked for. The board does not
 *   debounce, so the worker's johnny-five Buttons do (`buttonController`). Old StandardFirmata
 *   (protocol 2.3, no PULLUP mode) takes a pull-up as INPUT then a HIGH write, drops it again on
 *   every INPUT request and on any port write with that bit low. So a pin already pulled up is
 *   left alone (re-sending INPUT would let it float for a moment: a phantom press), and the
 *   buttons' bits in firmata.js's port cache are held high, or an LED write on the same port
 *   would leave a button floating.
 */
import type { Firmata } from 'firmata-io';
import { ButtonEventSequence, type ButtonEventLoss } from './button-event-sequence.js';
import { BUTTON_EVENT_SYSEX, decodeButtonEvent } from './panel-sysex.js';

type RawListener = (level: number) => void;
export type ButtonController = Record<string, { value: unknown; writable?: boolean }>;

export interface ButtonSource {
  /**
   * True when the board debounces and checks its edges itself (hcp-panel): each down edge is one
   * press. False for raw port reports, which need a debounce on the host (johnny-five's Button).
   */
  readonly debounced: boolean;
  /** Hear the pin's level at each edge (0 = pressed). */
  watch(pin: number, onLevel: RawListener): void;
  /** Repair what line noise may have changed on the board; call now and then (the heartbeat). */
  reassert(): void;
}

/** What went wrong on the link, for the caller to log (hcp-panel only: port reports carry no check). */
export interface ButtonLinkTrouble {
  /** A malformed BUTTON_EVENT (bad CRC, cut short): dropped. */
  onRefused(problem: string): void;
  /** BUTTON_EVENTs missing from the sequence (lost on the line). */
  onLost(loss: ButtonEventLoss): void;
}

/**
 * The source for the board on this link, by the firmware it reports: hcp-panel's checked events,
 * or port reports with the pull-ups made sure of first.
 */
export async function openButtonSource(io: Firmata, pins: readonly number[], trouble: ButtonLinkTrouble): Promise<ButtonSource> {
  if (io.firmware.name === 'hcp-panel') {
    const checked = new CheckedButtonEvents(io);
    checked.listen(trouble);
    return checked;
  }
  const reported = new ReportedButtons(io, pins);
  await reported.prepare();
  return reported;
}

/** A johnny-five Button controller over a source (pass as `controller` to `new five.Button`): for port reports, which need its debounce. */
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

/** hcp-panel: levels from BUTTON_EVENT, the sequence followed. */
export class CheckedButtonEvents implements ButtonSource {
  readonly debounced = true;
  private readonly listeners = new Map<number, RawListener>();
  private readonly sequence = new ButtonEventSequence();

  constructor(private readonly io: Firmata) {}

  /** Start listening; malformed and missing events go to `trouble`. */
  listen(trouble: ButtonLinkTrouble): void {
    // A watchdog or brown-out reset restarts the board, not the USB link: its announcement
    // (hcp-panel.cpp setup()) comes before any event it numbers from 0 again.
    this.io.on('string', (text: string) => {
      if (text.startsWith('hcp-panel started')) this.sequence.restart();
    });
    this.io.sysexResponse(BUTTON_EVENT_SYSEX, (payload) => {
      const e = decodeButtonEvent(payload);
      if ('problem' in e) return trouble.onRefused(e.problem);
      const loss = this.sequence.take(e);
      if (loss) trouble.onLost(loss);
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
  readonly debounced = false;
  private readonly io: Firmata & FirmataPorts;

  constructor(
    io: Firmata,
    private readonly pins: readonly number[],
    private readonly queryTimeoutMs = 2000,
  ) {
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
