/**
 * Receipts (issue 13): after each rating the device prints a slip on the window's ESC/POS printer
 * (composed by device/main.ts from the `receipt` config section). The rating is committed before the
 * printer hears of it, and a printer fault only costs the receipt: it is logged, counted and reported
 * to the event recorder, and the kiosk goes on (docs/RECEIPTS.md).
 */
import type { Feature, FeatureDeps, RuntimeEvents } from '../runtime/ports.js';
import { adapterFactoryFor, type AdapterFactory } from './adapters/printer-adapters.js';
import { lineWidthOf, parseReceiptSection, type ReceiptSection } from './receipt-config.js';
import { receiptFor } from './receipt-content.js';
import { EscposReceiptPrinter, type ReceiptPrinter } from './receipt-printer.js';

export { ReceiptConfigError, ReceiptSectionSchema, parseReceiptSection } from './receipt-config.js';

/** What the feature needs of the device (a subset of FeatureDeps). */
export type ReceiptDeps = Pick<FeatureDeps, 'section' | 'runtime' | 'outbox' | 'dataDir' | 'logger'> & {
  /** The device's event log, when the program hands it over; facts only, never the rating. */
  recordEvent?: (kind: 'receipt-failed' | 'receipt-skipped', detail: Record<string, unknown>) => void;
};

/** Seams for tests: another adapter than the section's. */
export interface ReceiptSeams {
  openAdapter?: AdapterFactory;
}

/** How many receipts were printed, failed, or skipped (printer busy, or the record not found). */
export interface ReceiptCounts {
  printed: number;
  failed: number;
  skipped: number;
}

/** Receipts waiting beyond this are skipped: a stuck printer must not grow a queue in memory. */
const MAX_WAITING = 3;

/** Build the receipt feature; throws ReceiptConfigError naming the field when the section is bad. */
export function createReceiptFeature(deps: ReceiptDeps, seams: ReceiptSeams = {}): Feature & { counts(): ReceiptCounts } {
  const section = parseReceiptSection(deps.section);
  const printer = new EscposReceiptPrinter({
    openAdapter: seams.openAdapter ?? adapterFactoryFor(section, deps.dataDir),
    lineWidth: lineWidthOf(section),
    jobTimeoutMs: section.jobTimeoutMs,
  });
  return new ReceiptFeature(deps, section, printer);
}

export class ReceiptFeature implements Feature {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private started = false;
  private readonly tally: ReceiptCounts = { printed: 0, failed: 0, skipped: 0 };

  constructor(
    private readonly deps: ReceiptDeps,
    private readonly section: ReceiptSection,
    private readonly printer: ReceiptPrinter,
  ) {}

  async start(): Promise<void> {
    if (this.started || !this.section.enabled) return;
    this.started = true;
    this.deps.runtime.events.on('rating-committed', this.onCommitted);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.deps.runtime.events.off('rating-committed', this.onCommitted);
    // Jobs end by themselves within jobTimeoutMs each.
    await this.queue;
  }

  /** Counts since start (for the status report and tests). */
  counts(): ReceiptCounts {
    return { ...this.tally };
  }

  private readonly onCommitted = (e: RuntimeEvents['rating-committed']): void => {
    // The bus calls listeners synchronously right after the commit: the record is the outbox's newest,
    // not yet acknowledged. The level is in the event, but it stays here: receiptFor never sees it.
    const record = this.deps.outbox.nextBatch(1, e.seq - 1)[0];
    if (record?.kind !== 'rating' || record.seq !== e.seq) {
      this.skip('record-not-found');
      return;
    }
    if (this.waiting >= MAX_WAITING) {
      this.skip('printer-busy');
      return;
    }
    const content = receiptFor(record, this.deps.runtime.currentConfig());
    this.waiting++;
    this.queue = this.queue
      .then(() => this.printer.print(content))
      .then(
        () => {
          this.tally.printed++;
        },
        (err: unknown) => {
          this.tally.failed++;
          const detail = { adapter: this.section.adapter, reason: (err as Error)?.message ?? String(err) };
          this.deps.logger.warn({ event: 'receipt-failed', ...detail, failed: this.tally.failed }, 'receipt not printed; the rating is stored');
          this.deps.recordEvent?.('receipt-failed', detail);
        },
      )
      .finally(() => {
        this.waiting--;
      });
  };

  private skip(why: 'record-not-found' | 'printer-busy'): void {
    this.tally.skipped++;
    this.deps.logger.warn({ event: 'receipt-skipped', why, skipped: this.tally.skipped }, 'receipt skipped; the rating is stored');
    this.deps.recordEvent?.('receipt-skipped', { why });
  }
}
