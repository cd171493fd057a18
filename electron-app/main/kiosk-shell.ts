/**
 * The kiosk shell's composition root, apart from the entry file so a test double of Electron can
 * drive all of it (test/electron/): the app-wide locks, the session locks, the one IPC handler, the
 * kiosk window. main.ts reads the config and hands in the real 'electron' module.
 */
import type { Clock } from './clock.js';
import { guardContents } from './contents-guard.js';
import type { ShellElectron, ShellWindow } from './electron-api.js';
import { handleExitRequests } from './exit-request.js';
import type { KioskConfig } from './kiosk-config.js';
import { openKioskWindow } from './kiosk-window.js';
import { PinLockout } from './pin-lockout.js';
import { lockSession } from './session-guard.js';

export interface KioskShellOptions {
  config: KioskConfig;
  preload: string;
  /** The runtime's per-boot token, read at every (re)load; '' when the runtime has not written it yet. */
  readToken: () => string;
  clock: Clock;
  log: (msg: string) => void;
}

/** Exit codes: 0 hall-IT exit; 70 (EX_SOFTWARE) the renderer kept crashing, restart me. */
export const EXIT_RENDERER_KEEPS_CRASHING = 70;

export interface KioskShell {
  /** Resolves once the window is open (after app ready); null when another shell already runs. */
  ready: Promise<ShellWindow | null>;
}

export function startKioskShell(electron: ShellElectron, o: KioskShellOptions): KioskShell {
  const { app } = electron;
  const origin = o.config.localApi;
  app.commandLine.appendSwitch('disable-pinch');
  app.commandLine.appendSwitch('overscroll-history-navigation', '0');
  if (!app.requestSingleInstanceLock()) {
    o.log('another kiosk shell is running; leaving');
    app.exit(0);
    return { ready: Promise.resolve(null) };
  }

  let win: ShellWindow | null = null;
  let closing = false;
  handleExitRequests(electron.ipcMain, {
    origin,
    kioskContents: () => (win && !win.isDestroyed() ? win.webContents : null),
    lockout: new PinLockout({ pinHash: o.config.exitPinHash, clock: o.clock }),
    exit: () => {
      closing = true;
      o.clock.setTimeout(() => app.exit(0), 100);
    },
    log: o.log,
  });
  // Every webContents the app ever makes gets the same locks, not only the kiosk window's.
  app.on('web-contents-created', (_e, contents) => guardContents(contents, origin, o.log));
  app.on('window-all-closed', () => undefined); // a kiosk stays up

  const url = () => `${origin}/#token=${encodeURIComponent(o.readToken())}`;
  const ready = app.whenReady().then(() => {
    lockSession(electron.session.defaultSession, origin, o.log);
    electron.powerSaveBlocker.start('prevent-display-sleep');
    win = openKioskWindow(electron, {
      origin,
      preload: o.preload,
      url,
      clock: o.clock,
      log: o.log,
      giveUp: () => app.exit(EXIT_RENDERER_KEEPS_CRASHING),
      mayClose: () => closing,
    });
    return win;
  });
  return { ready };
}
