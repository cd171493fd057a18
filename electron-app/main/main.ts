/**
 * The Electron kiosk shell's entry (`npm run kiosk -- --config kiosk.json`): a thin window onto the
 * device runtime's local API. It owns no data; ratings live in the runtime (docs/DESIGN.md).
 */
import { app, type BrowserWindow, ipcMain, powerSaveBlocker, type IpcMainInvokeEvent } from 'electron';
import { readFileSync } from 'node:fs';
import { IpcChannel } from './ipc-channels.js';
import { loadKioskConfig, pinMatches } from './kiosk-config.js';
import { allowKioskClose, isOwnWindow, lockSession, openKioskWindow, PRELOAD_PATH } from './kiosk-window.js';

const log = (msg: string) => process.stderr.write(`hcp-kiosk: ${msg}\n`);
const argIdx = process.argv.indexOf('--config');
// `npm run kiosk -- --config kiosk.json`, or HCP_KIOSK_CONFIG, or the packaged default.
const configFile = (argIdx > 0 ? process.argv[argIdx + 1] : undefined) ?? process.env.HCP_KIOSK_CONFIG ?? '/etc/hcp/kiosk.json';
const config = loadKioskConfig(configFile);
const url = () => {
  let token = '';
  try {
    token = readFileSync(config.tokenFile, 'utf8').trim();
  } catch {
    log(`no token at ${config.tokenFile} yet (is the device runtime running?)`);
  }
  return `${config.localApi}/#token=${encodeURIComponent(token)}`;
};

app.commandLine.appendSwitch('disable-pinch');
app.commandLine.appendSwitch('overscroll-history-navigation', '0');
if (!app.requestSingleInstanceLock()) app.exit(0);

let win: BrowserWindow | null = null;
let failedPins = 0;

// IPC is dropped unless it comes from our own window (Electron Fiddle src/main/ipc.ts).
ipcMain.handle(IpcChannel.RequestExit, async (event: IpcMainInvokeEvent, pin: unknown) => {
  if (!isOwnWindow(win, event.sender, event.senderFrame?.url, config.localApi) || typeof pin !== 'string') return false;
  if (failedPins >= 5) return false; // locked until the next boot
  if (!pinMatches(pin, config.exitPinHash)) {
    failedPins++;
    log('hall-IT exit: wrong PIN');
    return false;
  }
  log('hall-IT exit: PIN accepted');
  allowKioskClose();
  setTimeout(() => app.exit(0), 100);
  return true;
});

app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
});
app.on('window-all-closed', () => undefined); // a kiosk stays up

void app.whenReady().then(() => {
  lockSession(config.localApi);
  powerSaveBlocker.start('prevent-display-sleep');
  win = openKioskWindow({ origin: config.localApi, preload: PRELOAD_PATH(__dirname), url, log });
});
