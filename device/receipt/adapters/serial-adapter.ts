/**
 * A serial ESC/POS printer over our serialport@13 (the @node-escpos serial adapter pins serialport
 * 10, a second native build of the same library). One port per job: opened, written, drained, closed
 * — a printer that was unplugged between two ratings is simply found again at the next one.
 */
import { Adapter } from '@node-escpos/adapter';
import { SerialPort } from 'serialport';

/** An @node-escpos adapter writing to a serial port (`path` at `baudRate`, 8N1). */
export class SerialPrinterAdapter extends Adapter<[]> {
  private port: SerialPort | null = null;

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
  ) {
    super();
  }

  open(callback?: (error: Error | null) => void): this {
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    this.port = port;
    // An unplug mid-job surfaces as a failed write or drain; keep the error off the process.
    port.on('error', () => {});
    port.open((err) => callback?.(err ?? null));
    return this;
  }

  write(data: Buffer | string, callback?: (error: Error | null) => void): this {
    const port = this.port;
    if (!port?.isOpen) {
      callback?.(new Error(`serial printer ${this.path} is not open`));
      return this;
    }
    // Drained, not just queued: the job is done only when the bytes left for the printer.
    port.write(typeof data === 'string' ? Buffer.from(data, 'binary') : data, (err) => {
      if (err) callback?.(err);
      else port.drain((e) => callback?.(e ?? null));
    });
    return this;
  }

  close(callback?: (error: Error | null) => void): this {
    const port = this.port;
    this.port = null;
    if (!port?.isOpen) callback?.(null);
    else port.close((err) => callback?.(err ?? null));
    return this;
  }

  read(callback?: (data: Buffer) => void): void {
    this.port?.on('data', (buf: Buffer) => callback?.(buf));
  }
}
