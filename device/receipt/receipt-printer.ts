/**
 * The seam between the device and a receipt printer: `ReceiptPrinter.print(content)`. The ESC/POS
 * implementation opens an adapter per job, lays the receipt out with @node-escpos/core, sends it and
 * closes, all under one deadline: a printer that never answers (a USB endpoint gone, a socket that
 * hangs) fails the job instead of holding the next one.
 */
import type { Adapter } from '@node-escpos/adapter';
import type { AdapterFactory } from './adapters/printer-adapters.js';
import { CaptureAdapter } from './adapters/capture-adapter.js';
import type { ReceiptContent } from './receipt-content.js';
import { escposPrinter, layReceipt } from './receipt-layout.js';

/** Prints receipts; `print` rejects when this one did not reach the printer. */
export interface ReceiptPrinter {
  print(content: ReceiptContent): Promise<void>;
}

export interface EscposReceiptPrinterOptions {
  openAdapter: AdapterFactory;
  /** Half-width characters a line (32 on 58 mm paper, 48 on 80 mm). */
  lineWidth: number;
  jobTimeoutMs: number;
}

/** A ReceiptPrinter over an @node-escpos adapter. */
export class EscposReceiptPrinter implements ReceiptPrinter {
  constructor(private readonly o: EscposReceiptPrinterOptions) {}

  async print(content: ReceiptContent): Promise<void> {
    const adapter = await this.o.openAdapter();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the printer did not take the receipt within ${this.o.jobTimeoutMs} ms`)), this.o.jobTimeoutMs);
    });
    const job = this.job(adapter, content);
    // A job abandoned at the deadline may still fail later: that must not become an unhandled rejection.
    job.catch(() => {});
    try {
      await Promise.race([job, deadline]);
    } catch (err) {
      await closeWithin(adapter, CLOSE_AFTER_FAULT_MS);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async job(adapter: Adapter<[]>, content: ReceiptContent): Promise<void> {
    await settle((cb) => adapter.open(cb));
    const printer = escposPrinter(adapter, this.o.lineWidth);
    await layReceipt(printer, content);
    await printer.flush();
    await settle((cb) => adapter.close(cb));
  }
}

/** How long a failed job's adapter may take to close before the next job is allowed to start. */
const CLOSE_AFTER_FAULT_MS = 2000;

/**
 * Close after a fault, waited for (a serial port reopened before it closed would be refused: docs/STYLE.md,
 * "Serial reopen races") but never for ever — a wedged adapter must not hold every later receipt.
 */
async function closeWithin(adapter: Adapter<[]>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settle((cb) => adapter.close(cb)).catch(() => {}), new Promise<void>((res) => (timer = setTimeout(res, ms)))]);
  clearTimeout(timer);
}

/** The bytes of one receipt as a printer would receive them (golden files, dry runs). */
export async function composeReceiptBytes(content: ReceiptContent, lineWidth: number): Promise<Buffer> {
  const capture = new CaptureAdapter();
  const printer = escposPrinter(capture, lineWidth);
  await layReceipt(printer, content);
  await printer.flush();
  return capture.bytes();
}

/**
 * A node-style callback as a promise, taken once: the network adapter can call back twice (an error,
 * then its own connect timeout) and some calls back with extra arguments.
 */
function settle(call: (cb: (error: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    try {
      call((error) => {
        if (done) return;
        done = true;
        if (error) reject(error);
        else resolve();
      });
    } catch (err) {
      if (!done) reject(err);
      done = true;
    }
  });
}
