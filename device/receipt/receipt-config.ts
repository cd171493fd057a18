/**
 * The `receipt` section of the device config: whether a receipt is printed after each rating, and on
 * which ESC/POS printer. Validated with the rest of the config at start; errors name the field
 * (`receipt.port: …`, docs/STYLE.md §5). docs/RECEIPTS.md explains each adapter.
 */
import { z } from 'zod';
import { describeZodError } from '../contract/index.js';
import { UsbIdSchema } from '../hardware/hardware-config.js';

const common = {
  /** false: keep the section (and the printer) configured but print nothing. */
  enabled: z.boolean().default(true),
  /** 58 mm rolls hold 32 half-width characters a line, 80 mm rolls 48. */
  paper: z.enum(['58mm', '80mm']).default('58mm'),
  /** A job (connect, send, close) that takes longer is abandoned and counted as failed (ms). */
  jobTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
};

const UsbReceiptSchema = z
  .object({
    adapter: z.literal('usb'),
    /** Which printer; without it the first USB device of the printer class (7) is used. */
    usb: UsbIdSchema.optional(),
    ...common,
  })
  .strict();

const SerialReceiptSchema = z
  .object({
    adapter: z.literal('serial'),
    path: z.string().min(1, 'must be a device path such as /dev/ttyUSB0 or /dev/serial/by-id/…'),
    baudRate: z.number().int().positive().default(9600),
    ...common,
  })
  .strict();

const NetworkReceiptSchema = z
  .object({
    adapter: z.literal('network'),
    host: z.string().min(1, 'must be the printer’s address'),
    /** Raw printing port of ESC/POS network printers (JetDirect). */
    port: z.number().int().min(1).max(65535).default(9100),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
    ...common,
  })
  .strict();

const CaptureReceiptSchema = z
  .object({
    adapter: z.literal('capture'),
    /** Where each receipt's bytes are written (one .bin a receipt); default `<dataDir>/receipts`. */
    dir: z.string().min(1).optional(),
    ...common,
  })
  .strict();

export const ReceiptSectionSchema = z.discriminatedUnion('adapter', [UsbReceiptSchema, SerialReceiptSchema, NetworkReceiptSchema, CaptureReceiptSchema]);
export type ReceiptSection = z.infer<typeof ReceiptSectionSchema>;

/** A bad `receipt` section; the message names the field. */
export class ReceiptConfigError extends Error {}

/** Validate the raw `receipt` section (the feature does it again when the config did not). */
export function parseReceiptSection(raw: unknown): ReceiptSection {
  const parsed = ReceiptSectionSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: ['receipt', ...i.path] }));
    throw new ReceiptConfigError(describeZodError(new z.ZodError(issues)));
  }
  return parsed.data;
}

/** Half-width characters a line holds on this paper. */
export function lineWidthOf(section: Pick<ReceiptSection, 'paper'>): 32 | 48 {
  return section.paper === '80mm' ? 48 : 32;
}
