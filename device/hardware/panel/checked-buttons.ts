/**
 * Buttons for johnny-five fed by the hcp-panel firmware's BUTTON_EVENT sysex (panel-sysex.ts)
 * instead of Firmata's digital port reports. A port report has no check: one garbled byte on the
 * USB line reads as a port full of pressed buttons. A BUTTON_EVENT is CRC-checked and numbered,
 * so line noise can lose a press (the citizen presses again) but never make one.
 *
 * Each button is a real `five.Button` (its press/release/hold logic and debounce) with a custom
 * controller, the way johnny-five takes other input sources (its EVS and TinkerKit controllers).
 */
import type { Logger } from 'pino';
import type { Firmata } from 'firmata-io';
import { BUTTON_EVENT_SYSEX, decodeButtonEvent } from './panel-sysex.js';

type RawListener = (level: number) => void;

export class CheckedButtonEvents {
  private readonly listeners = new Map<number, RawListener>();
  private lastSeq: number | null = null;
  /** Events refused (bad CRC, malformed) and events missing from the sequence. */
  refused = 0;
  missed = 0;

  constructor(private readonly io: Firmata, private readonly log: Logger) {}

  /** Start listening for BUTTON_EVENT; `onRefused` hears each malformed one (for the device log). */
  listen(onRefused: (problem: string) => void): void {
    this.io.sysexResponse(BUTTON_EVENT_SYSEX, (payload) => {
      const e = decodeButtonEvent(payload);
      if ('problem' in e) {
        this.refused += 1;
        return onRefused(e.problem);
      }
      if (this.lastSeq !== null && e.seq !== ((this.lastSeq + 1) & 0x7f)) {
        this.missed += (e.seq - this.lastSeq - 1 + 128) & 0x7f;
        this.log.warn({ missed: this.missed }, 'button events lost on the line');
      }
      this.lastSeq = e.seq;
      this.listeners.get(e.pin)?.(e.level);
    });
  }

  /** A johnny-five Button controller for `pin` (pass as `controller` to `new five.Button`). */
  controller(): Record<string, { value: unknown; writable?: boolean }> {
    const io = this.io;
    const listeners = this.listeners;
    return {
      initialize: {
        value(this: { pin: number }, options: { pinValue?: number; pin: number }, callback: RawListener) {
          this.pin = Number(options.pinValue ?? options.pin);
          io.pinMode(this.pin, io.MODES.PULLUP!);
          listeners.set(this.pin, callback);
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
}
