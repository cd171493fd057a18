/**
 * The `hardware` section of the device config: where the rating panel and the NFC badge reader are,
 * and what they speak. Validated once when the feature is built; errors name the field
 * (`hardware.panel.path: …`, docs/STYLE.md §5).
 */
import { z } from 'zod';

const HexId = z
  .string()
  .regex(/^[0-9a-fA-F]{4}$/, 'must be 4 hex digits, as lsusb prints it')
  .transform((s) => s.toLowerCase());

/** A USB fingerprint: vendor and product id as `lsusb` prints them (e.g. 2341:0042). */
export const UsbIdSchema = z.object({ vendorId: HexId, productId: HexId }).strict();
export type UsbId = z.infer<typeof UsbIdSchema>;

/**
 * Boards a panel is built on: Arduino Mega 2560 (R3 and the original), and the CH340 USB-serial chip
 * of the common Mega clones. A hall that uses something else names it in `panel.usb`.
 */
export const DEFAULT_PANEL_USB: UsbId[] = [
  { vendorId: '2341', productId: '0042' },
  { vendorId: '2341', productId: '0010' },
  { vendorId: '1a86', productId: '7523' },
];

/**
 * USB readers of RDM6300 modules mostly sit behind a CP2102 or an FTDI chip. CH340 readers are not
 * a default: the CH340 is also the Mega clones' chip, and two identical fingerprints can only be
 * told apart by a configured path (/dev/serial/by-path/… or by-id with the serial number).
 */
export const DEFAULT_NFC_USB: UsbId[] = [
  { vendorId: '10c4', productId: 'ea60' },
  { vendorId: '0403', productId: '6001' },
];

const Path = z.string().min(1, 'must be a device path such as /dev/serial/by-id/…');
const UsbList = z.union([UsbIdSchema, z.array(UsbIdSchema).min(1)]).transform((u) => (Array.isArray(u) ? u : [u]));

export const PanelSectionSchema = z
  .object({
    /** false: no button panel (a touch-only window with a USB badge reader). */
    enabled: z.boolean().default(true),
    /** An explicit device path wins over USB discovery (e.g. a /dev/serial/by-id/ link). */
    path: Path.optional(),
    usb: UsbList.optional(),
    baudRate: z.number().int().positive().default(57600),
    /** `hcp-panel`: our firmware (buttons, LEDs, buzzer, NFC on the panel); `standard-firmata`: a plain Arduino. */
    firmware: z.enum(['hcp-panel', 'standard-firmata']).default('hcp-panel'),
    /** How long the Firmata handshake may take after opening before the link is restarted (ms). */
    handshakeTimeoutMs: z.number().int().min(500).max(60_000).default(10_000),
  })
  .strict();

export const NfcSectionSchema = z
  .object({
    /** `panel`: UIDs arrive from the panel firmware (sysex); `serial`: an RDM6300-style reader on its own USB serial port. */
    mode: z.enum(['panel', 'serial']).default('panel'),
    path: Path.optional(),
    usb: UsbList.optional(),
    baudRate: z.number().int().positive().default(9600),
    /** A card unseen this long is taken as removed; the next read is a new tap (ms). */
    removeAfterMs: z.number().int().min(150).max(5000).default(600),
  })
  .strict();

export const HardwareSectionSchema = z
  .object({
    panel: PanelSectionSchema.default({ enabled: true, baudRate: 57600, firmware: 'hcp-panel', handshakeTimeoutMs: 10_000 }),
    nfc: NfcSectionSchema.default({ mode: 'panel', baudRate: 9600, removeAfterMs: 600 }),
    /** Reconnect backoff of both links (ms): first retry, and the ceiling it doubles up to. */
    reconnect: z
      .object({ initialMs: z.number().int().min(10).max(10_000).default(250), maxMs: z.number().int().min(100).max(120_000).default(5000) })
      .strict()
      .default({ initialMs: 250, maxMs: 5000 }),
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.nfc.mode === 'panel' && (h.panel.firmware === 'standard-firmata' || !h.panel.enabled)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nfc', 'mode'],
        message: "the panel has no NFC reader here (StandardFirmata, or no panel): use mode 'serial' with the reader on its own USB port",
      });
    }
    if (h.panel.path !== undefined && h.panel.path === h.nfc.path) {
      ctx.addIssue({ code: 'custom', path: ['nfc', 'path'], message: "is the panel's port: one owner per port" });
    }
  });
export type HardwareSection = z.infer<typeof HardwareSectionSchema>;
export type PanelSection = HardwareSection['panel'];
export type NfcSection = HardwareSection['nfc'];

export class HardwareConfigError extends Error {
  readonly code = 'hardware-config';
}

/** Parse the raw `hardware` section; the error names each bad field as `hardware.<path>: <problem>`. */
export function parseHardwareSection(raw: unknown): HardwareSection {
  const parsed = HardwareSectionSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const text = parsed.error.issues
    .slice(0, 5)
    .map((i) => `hardware${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`)
    .join('; ');
  throw new HardwareConfigError(text);
}
