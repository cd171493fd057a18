/**
 * A pty pair from socat, as a USB serial device stand-in: the test writes at `deviceEnd` what the
 * module would send, the device program opens `hostEnd`. Killing socat is an unplug (the host side
 * reads EIO and the link path disappears); starting it again on the same links is a replug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';

export class PtyPair {
  private socat: ChildProcess | null = null;
  private port: SerialPort | null = null;

  constructor(
    readonly deviceEnd: string,
    readonly hostEnd: string,
    private readonly baudRate = 9600,
  ) {}

  async plug(): Promise<void> {
    if (this.socat) return;
    this.socat = spawn('socat', [`pty,raw,echo=0,link=${this.deviceEnd}`, `pty,raw,echo=0,link=${this.hostEnd}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(existsSync(this.deviceEnd) && existsSync(this.hostEnd)); i++) await sleep(10);
    if (!existsSync(this.hostEnd)) throw new Error('socat did not create the pty pair');
    this.port = new SerialPort({ path: this.deviceEnd, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((res, rej) => this.port!.open((e) => (e ? rej(e) : res())));
  }

  async unplug(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((res) => port.close(() => res()));
    const s = this.socat;
    this.socat = null;
    if (s && s.exitCode === null) {
      const exited = new Promise((res) => s.once('exit', res));
      s.kill('SIGTERM');
      await exited;
    }
    for (let i = 0; i < 100 && existsSync(this.hostEnd); i++) await sleep(10);
  }

  /** Bytes from the module to the host. */
  async write(bytes: Buffer): Promise<void> {
    if (!this.port) throw new Error('unplugged');
    await new Promise<void>((res, rej) => this.port!.write(bytes, (e) => (e ? rej(e) : this.port!.drain(() => res()))));
  }
}
