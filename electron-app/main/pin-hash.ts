/** Hall IT: print the `exitPinHash` for a PIN (`npx tsx electron-app/main/pin-hash.ts 246810`). */
import { randomBytes } from 'node:crypto';
import { hashPin } from './kiosk-config.js';

const pin = process.argv[2] ?? '';
if (!/^\d{4,12}$/.test(pin)) {
  process.stderr.write('usage: pin-hash.ts <4-12 digit PIN>\n');
  process.exit(2);
}
process.stdout.write(`${hashPin(pin, randomBytes(16).toString('hex'))}\n`);
