/**
 * Locks one webContents (the kiosk page, and any other the app ever creates) to the device
 * runtime's local API origin (Electron security checklist §13–§15): no navigation or redirect
 * away from it, no new windows, no <webview>, no DevTools (F12 would show the local API token in
 * the URL), no keyboard shortcut that reloads, closes or zooms.
 */
import type { KeyInput, ShellContents } from './electron-api.js';

/** True only for a URL whose origin is exactly the local API's (scheme, host and port). */
export function isLocalApiUrl(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Keys a citizen could use to leave, reload, zoom, print, save or open tools (if a keyboard is attached at all). */
export function isBlockedShortcut(input: KeyInput): boolean {
  const k = input.key.toLowerCase();
  if (['f1', 'f3', 'f5', 'f6', 'f7', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh', 'browserhome', 'browsersearch'].includes(k)) return true;
  if (input.alt && ['f4', 'arrowleft', 'arrowright', 'home'].includes(k)) return true;
  const ctrl = input.control || input.meta;
  // Ctrl+Shift+I/J/C open DevTools in Chromium; the others close, reload, zoom, print, save, find, open, view source.
  if (ctrl && input.shift && ['i', 'j', 'c', 'delete', 'r', 'n', 't', 'w', 'q'].includes(k)) return true;
  return ctrl && ['w', 'q', 'r', 'n', 't', 'o', 'p', 's', 'f', 'g', 'h', 'j', 'l', 'u', '+', '-', '=', '0'].includes(k);
}

/** The kiosk window's contents are reached twice (app 'web-contents-created' and the window itself): lock once. */
const guarded = new WeakSet<ShellContents>();

export function guardContents(contents: ShellContents, origin: string, log: (msg: string) => void): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  contents.setWindowOpenHandler((details) => {
    log(`new window refused: ${new URL(details.url).origin}`);
    return { action: 'deny' };
  });
  const refuseForeign = (what: string) => (e: { url: string; preventDefault(): void }) => {
    if (isLocalApiUrl(e.url, origin)) return;
    e.preventDefault();
    log(`${what} refused (not the local API)`);
  };
  contents.on('will-navigate', refuseForeign('navigation'));
  contents.on('will-frame-navigate', refuseForeign('frame navigation'));
  contents.on('will-redirect', refuseForeign('redirect'));
  contents.on('will-attach-webview', (e) => {
    e.preventDefault();
    log('webview refused');
  });
  // devTools:false in webPreferences already stops openDevTools(); closing here is the second lock.
  contents.on('devtools-opened', () => {
    contents.closeDevTools();
    log('devtools closed');
  });
  contents.on('before-input-event', (e, input) => {
    if (isBlockedShortcut(input)) e.preventDefault();
  });
  contents.on('zoom-changed', () => contents.setZoomFactor(1));
  contents.on('did-finish-load', () => {
    contents.setZoomFactor(1);
    void contents.setVisualZoomLevelLimits(1, 1);
  });
}
