/**
 * `npm run panel:check -- --path /dev/ttyACM0 [--seconds 30] [--no-lamp]`: hall IT's check of one
 * panel (device/hardware/panel/panel-check.ts). Without --path, the panel is looked for by USB id
 * as the device runtime does. Stop the device program first: one owner per port.
 * Exits 0 when the board is usable, 1 when it is not (wrong firmware, pins missing), 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PANEL_USB } from '../hardware/hardware-config.js';
import { runPanelCheck } from '../hardware/panel/panel-check.js';
import { listSerialPorts, locatePort } from '../hardware/port-discovery.js';

const { values } = parseArgs({
  options: { path: { type: 'string' }, seconds: { type: 'string', default: '30' }, 'no-lamp': { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
  process.stderr.write('usage: panel:check [--path <tty>] [--seconds 0..3600] [--no-lamp]\n');
  process.exit(2);
}
const path = values.path ?? (await locatePort({ usb: DEFAULT_PANEL_USB }, listSerialPorts));
if (!path) {
  process.stderr.write('no panel found by USB id (2341:0042, 2341:0010, 1a86:7523): plug it in, or give --path\n');
  process.exit(2);
}
try {
  const report = await runPanelCheck({ path, listenMs: seconds * 1000, lampTest: !values['no-lamp'], out: (l) => process.stdout.write(`${l}\n`) });
  process.exit(report.problems.length ? 1 : 0);
} catch (err) {
  process.stderr.write(`panel:check: ${(err as Error).message}\n`);
  process.exit(1);
}
