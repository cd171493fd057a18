/**
 * Find a serial device by its USB fingerprint, not by `/dev/ttyUSB0` (after zigbee-herdsman's
 * src/adapter/adapterDiscovery.ts): tty numbers move on replug and reboot, vendor/product ids do not.
 * An explicit path in config overrides discovery.
 */
import type { UsbId } from './hardware-config.js';

/** The fields of serialport's PortInfo that discovery reads. */
export interface ListedPort {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
}

export type ListPorts = () => Promise<ListedPort[]>;

/** Where to look for a device: a fixed path, or the first listed port matching one of the ids. */
export interface PortSpec {
  path?: string | undefined;
  usb: UsbId[];
  /** Ports owned by another link (one owner per port). */
  exclude?: () => ReadonlyArray<string>;
}

/** serialport's own listing (udev on Linux); loaded lazily so tests of the logic never touch it. */
export const listSerialPorts: ListPorts = async () => {
  const { SerialPort } = await import('serialport');
  return SerialPort.list();
};

const norm = (id: string | undefined) => (id ?? '').toLowerCase().replace(/^0x/, '').padStart(4, '0');

/** True when the listed port carries one of the USB ids (case and `0x` insensitive). */
export function matchesUsb(port: ListedPort, ids: ReadonlyArray<UsbId>): boolean {
  if (!port.vendorId || !port.productId) return false;
  return ids.some((id) => norm(port.vendorId) === id.vendorId && norm(port.productId) === id.productId);
}

/**
 * The path to open now, or null when the device is absent. An explicit path is returned as is:
 * whether it exists is for the open to find out (a by-id link comes and goes with the device).
 */
export async function locatePort(spec: PortSpec, list: ListPorts): Promise<string | null> {
  if (spec.path !== undefined) return spec.path;
  const taken = new Set(spec.exclude?.() ?? []);
  const ports = await list();
  // Order of the configured ids is the order of preference; ties go to the lowest path.
  for (const id of spec.usb) {
    const hit = ports.filter((p) => matchesUsb(p, [id]) && !taken.has(p.path)).sort((a, b) => a.path.localeCompare(b.path))[0];
    if (hit) return hit.path;
  }
  return null;
}
