/**
 * A pty pair from socat, as a USB serial device stand-in: the test writes at `deviceEnd` what the
 * module would send, the device program opens `hostEnd`. Killing socat is an unplug (the host side
 * reads EIO and the link path disappears); starting it again on the same links is a replug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import { SerialPort } from 'serialport';

/**
 * How long one step of the stand-in hardware (opening or closing its port, a write's drain, socat's
 * exit) may take: milliseconds as a rule. A replug test once ran into vitest's 60-s timeout instead,
 * with no word of which await it was in; a step that hangs now fails naming itself.
 */
const STEP_MS = 10_000;

async function step<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${STEP_MS / 1000} s`)), STEP_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export class PtyPair {
  private socat: ChildProcess | null = null;
  private port: SerialPort | null = null;

  constructor(
    readonly deviceEnd: string,
    readonly hostEnd: string,
    private readonly baudRate = 9600,
  ) {}

  /** The pair in a step's message: the path the device program opens. */
  private get name(): string {
    return basename(this.hostEnd);
  }

  async plug(): Promise<void> {
    if (this.socat) return;
    this.socat = spawn('socat', [`pty,raw,echo=0,link=${this.deviceEnd}`, `pty,raw,echo=0,link=${this.hostEnd}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(existsSync(this.deviceEnd) && existsSync(this.hostEnd)); i++) await sleep(10);
    if (!existsSync(this.hostEnd)) throw new Error('socat did not create the pty pair');
    this.port = new SerialPort({ path: this.deviceEnd, baudRate: this.baudRate, autoOpen: false });
    await step(`opening ${this.name}'s module end`, new Promise<void>((res, rej) => this.port!.open((e) => (e ? rej(e) : res()))));
  }

  async unplug(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await step(`closing ${this.name}'s module end`, new Promise<void>((res) => port.close(() => res())));
    const s = this.socat;
    this.socat = null;
    if (s && s.exitCode === null) {
      const exited = new Promise((res) => s.once('exit', res));
      s.kill('SIGTERM');
      await step(`${this.name}'s socat ending`, exited);
    }
    for (let i = 0; i < 100 && existsSync(this.hostEnd); i++) await sleep(10);
  }

  /** Bytes from the module to the host. */
  async write(bytes: Buffer): Promise<void> {
    if (!this.port) throw new Error('unplugged');
    const port = this.port;
    await step(`writing to ${this.name}`, new Promise<void>((res, rej) => port.write(bytes, (e) => (e ? rej(e) : port.drain(() => res())))));
  }
}
