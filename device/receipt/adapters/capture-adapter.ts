/**
 * A printer that keeps what it is sent: the golden-byte tests read it, and hall IT's dry run
 * (adapter `capture`) writes each receipt to a file to look at before a printer is bought or wired.
 */
import { Adapter } from '@node-escpos/adapter';

/** Collects every byte written between open and close; `onClose` gets the whole job. */
export class CaptureAdapter extends Adapter<[]> {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly onClose?: (bytes: Buffer) => void) {
    super();
  }

  open(callback?: (error: Error | null) => void): this {
    callback?.(null);
    return this;
  }

  write(data: Buffer | string, callback?: (error: Error | null) => void): this {
    this.chunks.push(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.from(data, 'binary'));
    callback?.(null);
    return this;
  }

  close(callback?: (error: Error | null) => void): this {
    try {
      this.onClose?.(this.bytes());
      callback?.(null);
    } catch (err) {
      callback?.(err as Error);
    }
    return this;
  }

  /** A printer never answers here. */
  read(): void {}

  /** Everything written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
