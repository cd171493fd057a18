/**
 * The kiosk window (Electron security checklist): full-screen kiosk that cannot be closed but by
 * the hall-IT exit, context isolation, sandbox, no Node in the renderer, no DevTools, no webview,
 * zoom pinned; its contents locked by contents-guard.ts and kept up by renderer-recovery.ts.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { Clock } from './clock.js';
import { guardContents } from './contents-guard.js';
import type { ShellElectron, ShellWindow } from './electron-api.js';
import { keepRendererUp } from './renderer-recovery.js';

export interface KioskWindowOptions {
  origin: string;
  preload: string;
  /** URL to load, with `#token=…` read fresh from the runtime. */
  url: () => string;
  clock: Clock;
  log: (msg: string) => void;
  /** Crashes keep coming: exit non-zero so the service manager restarts the shell. */
  giveUp: () => void;
  /** Asked when something tries to close the window: only the hall-IT exit says yes. */
  mayClose: () => boolean;
}

export function kioskWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    closable: false,
    minimizable: false,
    autoHideMenuBar: true,
    backgroundColor: '#f4f6f8',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      zoomFactor: 1,
    },
  };
}

export function openKioskWindow(electron: Pick<ShellElectron, 'createWindow'>, o: KioskWindowOptions): ShellWindow {
  const win = electron.createWindow(kioskWindowOptions(o.preload));
  const wc = win.webContents;
  guardContents(wc, o.origin, o.log);
  win.on('close', (e) => {
    if (!o.mayClose()) e.preventDefault();
  });
  keepRendererUp({ contents: wc, url: o.url, clock: o.clock, log: o.log, giveUp: o.giveUp }).load();
  return win;
}
