/**
 * The printer adapters a `receipt` section can name, one made per job (docs/STYLE.md §3): USB and
 * network from @node-escpos, serial ours (./serial-adapter.ts), capture to files for dry runs.
 * Libraries with native parts (usb) load only when their adapter is chosen, so a device without a
 * USB printer never needs libusb.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter } from '@node-escpos/adapter';
import type { ReceiptSection } from '../receipt-config.js';
import { CaptureAdapter } from './capture-adapter.js';
import { SerialPrinterAdapter } from './serial-adapter.js';

/** Makes the adapter for the next job; throws when the printer cannot be found. */
export type AdapterFactory = () => Promise<Adapter<[]>>;

/** The factory the section names; `dataDir` holds the capture folder by default. */
export function adapterFactoryFor(section: ReceiptSection, dataDir: string): AdapterFactory {
  switch (section.adapter) {
    case 'usb':
      return async () => {
        const { default: USBAdapter } = await import('@node-escpos/usb-adapter');
        const id = section.usb;
        // The constructor finds the device (throws "Can not find printer"); open() claims it.
        return id ? new USBAdapter(Number.parseInt(id.vendorId, 16), Number.parseInt(id.productId, 16)) : new USBAdapter();
      };
    case 'network':
      return async () => {
        const { default: Network } = await import('@node-escpos/network-adapter');
        // Its close() takes the socket as an extra argument it never reads: safe as an Adapter<[]>.
        return new Network(section.host, section.port, section.connectTimeoutMs) as unknown as Adapter<[]>;
      };
    case 'serial':
      return async () => new SerialPrinterAdapter(section.path, section.baudRate);
    case 'capture': {
      const dir = section.dir ?? join(dataDir, 'receipts');
      return async () => new CaptureAdapter((bytes) => writeCapture(dir, bytes));
    }
  }
}

/** One file a receipt, numbered on from what the folder holds: receipt-000001.bin, … */
function writeCapture(dir: string, bytes: Buffer): void {
  mkdirSync(dir, { recursive: true });
  const taken = readdirSync(dir).filter((f) => /^receipt-\d{6}\.bin$/.test(f)).length;
  writeFileSync(join(dir, `receipt-${String(taken + 1).padStart(6, '0')}.bin`), bytes);
}
