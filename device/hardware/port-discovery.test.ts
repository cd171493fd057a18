import { describe, expect, it } from 'vitest';
import { DEFAULT_PANEL_USB, parseHardwareSection } from './hardware-config.js';
import { locatePort, type ListedPort } from './port-discovery.js';

const ports: ListedPort[] = [
  { path: '/dev/ttyS0' },
  { path: '/dev/ttyUSB1', vendorId: '10C4', productId: 'EA60' },
  { path: '/dev/ttyACM3', vendorId: '2341', productId: '0042' },
  { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523' },
];
const list = async () => ports;

describe('port discovery by USB fingerprint', () => {
  it('finds the Mega by vendor/product id, preferring the configured order', async () => {
    expect(await locatePort({ usb: DEFAULT_PANEL_USB }, list)).toBe('/dev/ttyACM3');
    expect(await locatePort({ usb: [{ vendorId: '10c4', productId: 'ea60' }] }, list)).toBe('/dev/ttyUSB1');
  });

  it('skips ports another link owns, and is absent when nothing matches', async () => {
    expect(await locatePort({ usb: [{ vendorId: '1a86', productId: '7523' }], exclude: () => ['/dev/ttyUSB0'] }, list)).toBeNull();
    expect(await locatePort({ usb: [{ vendorId: 'dead', productId: 'beef' }] }, list)).toBeNull();
  });

  it('an explicit path overrides discovery', async () => {
    expect(await locatePort({ path: '/dev/serial/by-id/usb-Arduino_Mega', usb: DEFAULT_PANEL_USB }, list)).toBe('/dev/serial/by-id/usb-Arduino_Mega');
  });
});

describe('hardware config section', () => {
  it('fills defaults', () => {
    const h = parseHardwareSection({});
    expect(h.panel).toMatchObject({ baudRate: 57600, firmware: 'hcp-panel' });
    expect(h.nfc).toMatchObject({ mode: 'panel', baudRate: 9600 });
  });

  it('names the bad field', () => {
    expect(() => parseHardwareSection({ panel: { path: '' } })).toThrow(/^hardware\.panel\.path: /);
    expect(() => parseHardwareSection({ panel: { usb: { vendorId: '2341', productId: 'x' } } })).toThrow(/hardware\.panel\.usb\.productId: must be 4 hex digits/);
    expect(() => parseHardwareSection({ nfc: { mode: 'usb' } })).toThrow(/hardware\.nfc\.mode/);
    expect(() => parseHardwareSection({ panel: { firmware: 'standard-firmata' } })).toThrow(/hardware\.nfc\.mode: the panel has no NFC reader here/);
    expect(() => parseHardwareSection({ panel: { path: '/dev/x' }, nfc: { mode: 'serial', path: '/dev/x' } })).toThrow(/one owner per port/);
    expect(() => parseHardwareSection({ bogus: 1 })).toThrow(/hardware: Unrecognized key/);
  });

  it('normalises USB ids to lower case and accepts one or several', () => {
    expect(parseHardwareSection({ panel: { usb: { vendorId: '1A86', productId: '7523' } } }).panel.usb).toEqual([{ vendorId: '1a86', productId: '7523' }]);
  });
});
