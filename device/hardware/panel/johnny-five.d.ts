/**
 * The small part of johnny-five 2.x and firmata-io that the panel worker uses (neither ships types).
 * firmata-io is the protocol core without a transport: we hand it a serialport v13 port we opened,
 * so the serialport@8 that `firmata` and johnny-five would otherwise require is never loaded.
 */
declare module 'firmata-io' {
  import { EventEmitter } from 'node:events';
  export interface FirmataOptions {
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }
  export class Firmata extends EventEmitter {
    constructor(transport: unknown, options?: FirmataOptions, callback?: (err?: Error) => void);
    isReady: boolean;
    firmware: { name?: string; version?: { major: number; minor: number } };
    version: { major?: number; minor?: number };
    MODES: Record<string, number>;
    reportVersion(cb: () => void): void;
    queryFirmware(cb: () => void): void;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: 0 | 1, enqueue?: boolean): void;
    reportDigitalPin(pin: number, value: 0 | 1): void;
    sysexResponse(command: number, handler: (payload: number[]) => void): this;
    clearSysexResponse(command: number): void;
  }
  const bindTransport: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default bindTransport;
}

declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  export interface BoardOptions {
    io: unknown;
    repl: false;
    sigint: false;
    debug: boolean;
    id?: string;
  }
  export class Board extends EventEmitter {
    constructor(options: BoardOptions);
    isReady: boolean;
  }
  export class Button extends EventEmitter {
    constructor(options: { pin: number; board: Board; isPullup?: boolean; holdtime?: number; controller?: Record<string, { value: unknown; writable?: boolean }> });
    readonly isDown: boolean;
  }
  export class Led {
    constructor(options: { pin: number; board: Board });
    on(): this;
    off(): this;
    blink(ms: number): this;
    stop(): this;
  }
  export class Piezo {
    constructor(options: { pin: number; board: Board; controller?: Record<string, { value: unknown; writable?: boolean }> });
    frequency(hz: number, ms: number): this;
    noTone(): this;
  }
  const five: { Board: typeof Board; Button: typeof Button; Led: typeof Led; Piezo: typeof Piezo };
  export default five;
}
