/**
 * The Electron kiosk shell's entry (`npm run kiosk -- --config kiosk.json`): a thin window onto the
 * device runtime's local API. It owns no data; ratings live in the runtime (docs/DESIGN.md). Reading
 * the config, the token file and exiting happen here; everything else is kiosk-shell.ts.
 */
import { app, BrowserWindow, ipcMain, powerSaveBlocker, session } from 'electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from './clock.js';
import type { ShellElectron } from './electron-api.js';
import { type KioskConfig, loadKioskConfig } from './kiosk-config.js';
import { startKioskShell } from './kiosk-shell.js';

const log = (msg: string) => process.stderr.write(`hcp-kiosk: ${msg}\n`);
const argIdx = process.argv.indexOf('--config');
// `npm run kiosk -- --config kiosk.json`, or HCP_KIOSK_CONFIG, or the packaged default.
const configFile = (argIdx > 0 ? process.argv[argIdx + 1] : undefined) ?? process.env.HCP_KIOSK_CONFIG ?? '/etc/hcp/kiosk.json';

function main(): void {
  let config: KioskConfig;
  try {
    config = loadKioskConfig(configFile);
  } catch (err) {
    // The message names the file and the field; a stack trace would only hide it.
    log((err as Error).message);
    app.exit(2);
    return;
  }
  const readToken = () => {
    try {
      return readFileSync(config.tokenFile, 'utf8').trim();
    } catch {
      log(`no token at ${config.tokenFile} yet (is the device runtime running?)`);
      return '';
    }
  };
  // tsc checks here that the real module fits the narrow API the shell is written against.
  const electron: ShellElectron = { app, ipcMain, session, powerSaveBlocker, createWindow: (options) => new BrowserWindow(options) };
  startKioskShell(electron, { config, preload: join(__dirname, 'preload.cjs'), readToken, clock: systemClock, log });
}

main();
