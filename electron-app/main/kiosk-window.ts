/**
 * The kiosk window and its locks (Electron security checklist): full-screen kiosk, context isolation,
 * sandbox, no Node in the renderer, no navigation, no new windows, no permissions, no zoom, only the
 * local API's origin reachable, renderer restarted when it crashes.
 */
import { BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';

export interface KioskWindowOptions {
  origin: string;
  preload: string;
  /** URL to load, with `#token=…` read fresh from the runtime. */
  url: () => string;
  log: (msg: string) => void;
}

export function lockSession(origin: string): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _perm, done) => done(false));
  ses.setPermissionCheckHandler(() => false);
  const wsOrigin = origin.replace(/^http/, 'ws');
  // Anything that is not the device's own local API (or a data: image) is cancelled.
  ses.webRequest.onBeforeRequest((details, done) => {
    const ok = details.url.startsWith(`${origin}/`) || details.url.startsWith(`${wsOrigin}/`) || details.url.startsWith('data:') || details.url.startsWith('devtools:');
    done({ cancel: !ok });
  });
}

export function openKioskWindow(o: KioskWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    frame: false,
    closable: false,
    minimizable: false,
    autoHideMenuBar: true,
    backgroundColor: '#f4f6f8',
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: false,
      webviewTag: false,
      zoomFactor: 1,
    },
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${o.origin}/`)) e.preventDefault();
  });
  wc.on('will-redirect', (e, url) => {
    if (!url.startsWith(`${o.origin}/`)) e.preventDefault();
  });
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.on('did-finish-load', () => {
    void wc.setVisualZoomLevelLimits(1, 1);
    wc.setZoomFactor(1);
  });
  wc.on('zoom-changed', () => wc.setZoomFactor(1));
  // A citizen cannot close, reload or open tools with the keyboard (if a keyboard is attached at all).
  wc.on('before-input-event', (e, input) => {
    const k = input.key.toLowerCase();
    if (input.alt && k === 'f4') e.preventDefault();
    if ((input.control || input.meta) && ['w', 'q', 'r', 'n', 't', '+', '-', '=', '0', 'p', 's'].includes(k)) e.preventDefault();
    if (['f5', 'f11', 'f12'].includes(k)) e.preventDefault();
  });
  win.on('close', (e) => {
    if (!allowClose) e.preventDefault();
  });
  // The renderer died (crash, OOM, killed): load it again. Ratings are safe in the runtime meanwhile.
  wc.on('render-process-gone', (_e, details) => {
    o.log(`renderer gone (${details.reason}); reloading`);
    setTimeout(() => {
      if (!win.isDestroyed()) void win.loadURL(o.url());
    }, 1000);
  });
  wc.on('unresponsive', () => {
    o.log('renderer unresponsive; reloading');
    wc.forcefullyCrashRenderer();
  });
  // The runtime may not be up yet at boot: retry until it answers.
  wc.on('did-fail-load', (_e, code) => {
    if (code === -3) return; // aborted by our own reload
    setTimeout(() => {
      if (!win.isDestroyed()) void win.loadURL(o.url());
    }, 2000);
  });
  void win.loadURL(o.url());
  return win;
}

let allowClose = false;
/** Only the hall-IT exit (PIN checked in main) lets the window close. */
export function allowKioskClose(): void {
  allowClose = true;
}

/** IPC counts only from our window's top frame showing the local API origin (Electron Fiddle src/main/ipc.ts). */
export function isOwnWindow(win: BrowserWindow | null, sender: WebContents, frameUrl: string | undefined, origin: string): boolean {
  return !!win && !win.isDestroyed() && sender === win.webContents && !!frameUrl && frameUrl.startsWith(`${origin}/`);
}

export const PRELOAD_PATH = (dir: string) => join(dir, 'preload.cjs');
