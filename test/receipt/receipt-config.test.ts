/** The `receipt` section is validated with the device config, and an error names the field (docs/STYLE.md §5). */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseDeviceConfig } from '../../device/config/device-config.js';
import { parseReceiptSection, ReceiptConfigError } from '../../device/receipt/index.js';

const base = { deviceId: 'dev-cfg', dataDir: '/tmp/hcp-receipt-cfg', bootstrap: { hallName: '测试大厅', window: { id: 'w-1', number: '1', department: 'D' } } };
const parse = (receipt: unknown) => parseDeviceConfig({ ...base, receipt }, {});

describe('the receipt config section', () => {
  it('takes each adapter with its defaults', () => {
    expect(parse({ adapter: 'network', host: '10.0.0.5' }).receipt).toEqual({
      adapter: 'network',
      host: '10.0.0.5',
      port: 9100,
      connectTimeoutMs: 5000,
      enabled: true,
      paper: '58mm',
      jobTimeoutMs: 10_000,
    });
    expect(parse({ adapter: 'serial', path: '/dev/ttyUSB0' }).receipt).toMatchObject({ baudRate: 9600 });
    expect(parse({ adapter: 'usb', usb: { vendorId: '0416', productId: '5011' } }).receipt).toMatchObject({ usb: { vendorId: '0416', productId: '5011' } });
    expect(parse({ adapter: 'capture', enabled: false, paper: '80mm' }).receipt).toMatchObject({ enabled: false, paper: '80mm' });
    expect(parse(undefined).receipt).toBeUndefined();
  });

  it.each([
    [{ adapter: 'bluetooth' }, /receipt\.adapter: /],
    [{ adapter: 'network' }, /receipt\.host: /],
    [{ adapter: 'network', host: 'p', port: 70000 }, /receipt\.port: /],
    [{ adapter: 'serial', path: '' }, /receipt\.path: must be a device path/],
    [{ adapter: 'usb', usb: { vendorId: 'x', productId: '5011' } }, /receipt\.usb\.vendorId: must be 4 hex digits/],
    [{ adapter: 'capture', printLevel: true }, /receipt: Unrecognized key.*printLevel/],
    [{ adapter: 'capture', jobTimeoutMs: 10 }, /receipt\.jobTimeoutMs: /],
  ])('refuses %j naming the field', (section, message) => {
    expect(() => parse(section)).toThrow(ConfigError);
    expect(() => parse(section)).toThrow(message);
    // The feature's own check (when a program builds it from a raw section) names it the same way.
    expect(() => parseReceiptSection(section)).toThrow(ReceiptConfigError);
    expect(() => parseReceiptSection(section)).toThrow(message);
  });
});
