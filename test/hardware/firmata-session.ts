/**
 * A bare Firmata session on a virtual panel's tty, with firmata.js (firmata-io) over serialport:
 * what any Firmata tool does, without johnny-five or the device runtime. The conformance suite
 * uses it to hold the firmware to the protocol.
 */
import { SerialPort } from 'serialport';
import bindTransport, { type Firmata } from 'firmata-io';

export interface FirmataSession {
  io: Firmata & FirmataExtras;
  port: SerialPort;
  /** STRING_DATA lines the board sent. */
  strings: string[];
  /** Raw sysex payloads by command, as they arrived. */
  sysex: Map<number, number[][]>;
  close(): Promise<void>;
}

/** The parts of firmata.js the suite reads beyond device/hardware/panel/johnny-five.d.ts. */
interface FirmataExtras {
  pins: Array<{ supportedModes: number[]; mode?: number; value: number; state?: number; analogChannel: number }>;
  analogPins: number[];
  queryPinState(pin: number, cb: () => void): void;
  digitalRead(pin: number, cb: (value: number) => void): void;
  reset(): void;
  transport: { write(bytes: Buffer | number[]): void };
}

export async function openFirmata(path: string, watchSysex: number[] = []): Promise<FirmataSession> {
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((err) => (err ? rej(err) : res())));
  const { Firmata: FirmataClass } = bindTransport;
  const io = new FirmataClass(port, { reportVersionTimeout: 200 }) as Firmata & FirmataExtras;
  const strings: string[] = [];
  const sysex = new Map<number, number[][]>();
  io.on('string', (s: string) => strings.push(s));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('no Firmata handshake in 15 s')), 15_000);
    io.once('ready', () => {
      clearTimeout(timer);
      res();
    });
  });
  for (const command of watchSysex) {
    sysex.set(command, []);
    // firmata.js keeps sysex handlers on the class, one per command: the last session's wins.
    io.clearSysexResponse(command);
    io.sysexResponse(command, (payload) => sysex.get(command)!.push([...payload]));
  }
  return {
    io,
    port,
    strings,
    sysex,
    close: () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
}

/** Bytes straight onto the link, past firmata.js (malformed messages, noise). */
export function writeRaw(s: FirmataSession, bytes: number[]): Promise<void> {
  return new Promise((res, rej) => s.port.write(Buffer.from(bytes), (err) => (err ? rej(err) : s.port.drain(() => res()))));
}

/**
 * Resolves once everything the board sent before the call has been read and handled: the answer to
 * a version query comes after it on the line. With `VirtualPanel.wait` first, this is how a test
 * knows that something did not come, without guessing how long it could take on a loaded host.
 */
export function caughtUp(s: FirmataSession): Promise<void> {
  return new Promise((res) => s.io.reportVersion(res));
}
